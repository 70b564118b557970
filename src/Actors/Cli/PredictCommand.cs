using System.CommandLine;
using System.Globalization;
using System.Text;
using Veil.Actors.TrainedModels;
using Veil.Compute.Evaluation;
using Veil.Compute.Parameters;

namespace Veil.Actors.Cli;

/// <summary>
/// `veil predict --run runs/&lt;id&gt; --source PATH`: the class and class probabilities of each image of a file, a
/// folder or tar shards, decoded and normalised as the run's test split was. Post-processing: it spends no privacy.
/// </summary>
public static class PredictCommand
{
    public static Command Create(TextWriter stdout)
    {
        var run = ExportCommand.RunOption();
        var source = new Option<string>("--source")
        {
            Description = "An image file, a folder of images (searched at any depth) or tar shards.",
            Required = true,
        };
        var json = CliOptions.Json();
        var csv = new Option<bool>("--csv") { Description = "Print CSV: file,class,p0,p1,… (one row per image, after a header)." };
        var command = new Command(
            "predict",
            "Classify images with a trained run's model: class and probabilities per image; spends no privacy.") { run, source, json, csv };
        command.SetAction(p =>
        {
            if (p.GetValue(json) && p.GetValue(csv)) throw new CliUsageException("give --json or --csv, not both");
            var trained = TrainedRun.Open(p.GetValue(run)!);
            using var model = trained.CreateModel();
            var images = ImageInputs.Read(p.GetValue(source)!, model.ExampleShape);
            var predictions = Predictor.Run(model, ParameterVector.Flatten(model), images.Inputs, images.Count, trained.Training.Runtime.EvalBatchSize);
            if (p.GetValue(csv))
            {
                stdout.WriteLine("file,class," + string.Join(',', Enumerable.Range(0, predictions.Classes)
                    .Select(k => "p" + k.ToString(CultureInfo.InvariantCulture))));
                for (var i = 0; i < images.Count; i++)
                {
                    var row = new StringBuilder(Csv(images.Names[i])).Append(',').Append(predictions.Predicted[i].ToString(CultureInfo.InvariantCulture));
                    foreach (var v in predictions.Of(i)) row.Append(',').Append(v.ToString("R", CultureInfo.InvariantCulture));
                    stdout.WriteLine(row.ToString());
                }
                return ExitCodes.Ok;
            }
            if (!p.GetValue(json))
            {
                for (var i = 0; i < images.Count; i++)
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{images.Names[i]}\tclass {predictions.Predicted[i]}\tp = {predictions.Of(i)[predictions.Predicted[i]]:F4}"));
                stdout.WriteLine(
                    $"{images.Count} image(s) classified by run {trained.Id} ({model.CatalogName}); " +
                    $"predicting is post-processing and spent no privacy");
            }
            stdout.WriteLine(JsonLine.Of(("command", "predict"), ("run_id", trained.Id), ("images", images.Count), ("classes", predictions.Classes),
                ("predictions", Enumerable.Range(0, images.Count).Select(i => new (string, object?)[]
                {
                    ("file", images.Names[i]), ("class", predictions.Predicted[i]),
                    ("probabilities", predictions.Of(i).ToArray().Select(v => (double)v).ToList()),
                }).ToList())));
            return ExitCodes.Ok;
        });
        return command;
    }

    // RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
    private static string Csv(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
