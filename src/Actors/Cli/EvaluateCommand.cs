using System.CommandLine;
using System.Globalization;
using Veil.Actors.Reporting;
using Veil.Actors.TrainedModels;
using Veil.Compute.Evaluation;
using Veil.Compute.Parameters;

namespace Veil.Actors.Cli;

/// <summary>
/// `veil evaluate --run runs/&lt;id&gt; [--source PATH]`: accuracy, each class's precision and recall and a confusion-matrix
/// PNG on a labelled set: the run's own test split by default (loaded as the run loaded it, so the accuracy is the one
/// in result.json), or an image folder or tar shards.
/// </summary>
public static class EvaluateCommand
{
    public static Command Create(TextWriter stdout)
    {
        var run = ExportCommand.RunOption();
        var source = new Option<string?>("--source") { Description = "A labelled image folder or tar shards (default: the run's test split)." };
        var output = new Option<string?>("--out")
        {
            Description = "Where to write the confusion-matrix PNG (default runs/<id>/evaluation/confusion-matrix.png).",
        };
        var json = CliOptions.Json();
        var command = new Command(
            "evaluate",
            "Accuracy, per-class precision/recall and a confusion-matrix PNG of a trained run on labelled data.") { run, source, output, json };
        command.SetAction(p =>
        {
            var trained = TrainedRun.Open(p.GetValue(run)!);
            using var model = trained.CreateModel();
            var (batch, description, privateData) = LabelledImages.Load(trained, p.GetValue(source), model.ExampleShape, model.Classes);
            var predictions = Predictor.Run(model, ParameterVector.Flatten(model), batch.Inputs, batch.Count, trained.Training.Runtime.EvalBatchSize);
            var matrix = ConfusionMatrix.Of(batch.Labels.Take(batch.Count).ToList(), predictions.Predicted, model.Classes);
            var png = Path.GetFullPath(p.GetValue(output) ?? Path.Combine(trained.Path, "evaluation", "confusion-matrix.png"));
            ConfusionMatrixPlot.Save(matrix, png, string.Create(CultureInfo.InvariantCulture,
                $"Run {trained.Id} on {Path.GetFileName(description)}: accuracy {matrix.Accuracy:P2}"));
            if (!p.GetValue(json))
            {
                if (privateData)
                    stdout.WriteLine(
                        "warning: this is the run's private training data; figures measured on it are not differentially private: " +
                        "do not publish them");
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"run {trained.Id} on {description}: accuracy {matrix.Accuracy:F4} ({matrix.Correct} of {matrix.Total})"));
                stdout.WriteLine("class  precision  recall  examples");
                for (var k = 0; k < matrix.Classes; k++)
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{k,5}  {Figure(matrix.Precision(k)),9}  {Figure(matrix.Recall(k)),6}  {matrix.Row(k),8}"));
                stdout.WriteLine($"confusion matrix: {png}");
            }
            stdout.WriteLine(JsonLine.Of(("command", "evaluate"), ("run_id", trained.Id), ("source", description), ("examples", matrix.Total),
                ("accuracy", matrix.Accuracy), ("private_training_data", privateData),
                ("classes", Enumerable.Range(0, matrix.Classes).Select(k => new (string, object?)[]
                {
                    ("class", k), ("precision", matrix.Precision(k)), ("recall", matrix.Recall(k)), ("examples", matrix.Row(k)),
                }).ToList()),
                ("confusion_matrix", png)));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Figure(double? v) => v is { } x ? x.ToString("F4", CultureInfo.InvariantCulture) : "-";
}
