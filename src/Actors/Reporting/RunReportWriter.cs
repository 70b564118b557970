using System.Globalization;
using System.Text;
using System.Text.Json;
using ScottPlot;

namespace Veil.Actors.Reporting;

/// <summary>runs/&lt;id&gt;/report.json, PNG plots (ScottPlot) and report.md linking them with the plan and final figures.</summary>
public static class RunReportWriter
{
    public const string JsonName = "report.json";

    private static readonly string[] StageOrder = ["loader", "worker", "accumulator", "ledger", "noise", "optimizer"];

    public static IReadOnlyList<string> Write(string runDirectory, RunReportData data)
    {
        File.WriteAllText(
            Path.Combine(runDirectory, JsonName),
            JsonSerializer.Serialize(
                data,
                new JsonSerializerOptions
                {
                    WriteIndented = true,
                    NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
                }));
        return Render(runDirectory, data);
    }

    public static RunReportData Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, JsonName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist: give a runs/<id> folder of a finished run", path);
        return JsonSerializer.Deserialize<RunReportData>(File.ReadAllText(path),
            new JsonSerializerOptions
            {
                NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
            }) ?? throw new InvalidDataException($"{path} is empty");
    }

    public static IReadOnlyList<string> Render(string runDirectory, RunReportData d)
    {
        var steps = d.StepSeries.Select(p => (double)p.Step + 1).ToArray();
        var files = new List<string>
        {
            Line(runDirectory, "loss.png", $"Training loss (non-private diagnostic); test accuracy at the end {d.TestAccuracy:P2}", "step", "mean loss",
                [(d.RunId, steps, d.StepSeries.Select(p => p.Loss).ToArray())]),
            Line(runDirectory, "accuracy.png", "Test accuracy (veil.eval.every-steps, and at the end)", "step", "accuracy",
                [(d.RunId, d.StepSeries.Where(p => p.TestAccuracy is not null).Select(p => (double)p.Step + 1).Append(d.Steps).ToArray(),
                  d.StepSeries.Where(p => p.TestAccuracy is not null).Select(p => p.TestAccuracy!.Value).Append(d.TestAccuracy).ToArray())]),
            Line(
                runDirectory, "epsilon.png", $"ε spent (from the ledger), δ = {d.Delta:G2}", "step", "ε",
                [(d.RunId, steps, d.StepSeries.Select(p => p.Epsilon).ToArray())]),
            Line(runDirectory, "clip-fraction.png", "Share of examples clipped (non-private diagnostic)", "step", "clipped fraction",
                [(d.RunId, steps, d.StepSeries.Select(p => p.ClipFraction).ToArray())]),
            Timeline(runDirectory, d),
        };
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Run {d.RunId}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"- model {d.Model}; Poisson q = {d.SamplingRate:G4}, σ = {d.NoiseMultiplier:G5}, C = {d.ClipNorm}, T = {d.Steps}");
        var epsilon = double.IsPositiveInfinity(d.Epsilon)
            ? "∞ (the data's ledger holds a release with insecure, fixed private randomness: veil.run.insecure-private-seed)"
            : d.Epsilon.ToString("F3", CultureInfo.InvariantCulture);
        md.AppendLine(CultureInfo.InvariantCulture,
            $"- **test accuracy {d.TestAccuracy:P2} at {d.PrivacyUnit} ε = {epsilon}, δ = {d.Delta:G3}** (ε from the ledger)");
        md.AppendLine(CultureInfo.InvariantCulture, $"- wall {d.WallSeconds:F0} s, {d.ExamplesPerSecond:F0} examples/s");
        md.AppendLine("- the plan: [plan.json](plan.json); the data: [report.json](report.json)");
        md.AppendLine();
        foreach (var f in files) md.AppendLine(CultureInfo.InvariantCulture, $"![{Path.GetFileNameWithoutExtension(f)}]({Path.GetFileName(f)})");
        File.WriteAllText(Path.Combine(runDirectory, "report.md"), md.ToString());
        return files;
    }

    /// <summary>Two runs on the same axes (loss and ε), written into <paramref name="output"/>.</summary>
    public static IReadOnlyList<string> Compare(string output, RunReportData a, RunReportData b)
    {
        Directory.CreateDirectory(output);
        static (string, double[], double[]) Series(RunReportData r, Func<StepPoint, double> y) =>
            (r.RunId, r.StepSeries.Select(p => (double)p.Step + 1).ToArray(), r.StepSeries.Select(y).ToArray());
        return
        [
            Line(output, "compare-loss.png", "Training loss (non-private diagnostic)", "step", "mean loss", [Series(a, p => p.Loss), Series(b, p => p.Loss)]),
            Line(output, "compare-epsilon.png", "ε spent (from the ledger)", "step", "ε", [Series(a, p => p.Epsilon), Series(b, p => p.Epsilon)]),
        ];
    }

    private static string Line(string dir, string name, string title, string x, string y, IReadOnlyList<(string Label, double[] X, double[] Y)> series)
    {
        var plot = new Plot();
        foreach (var (label, xs, ys) in series)
        {
            var finite = xs.Zip(ys).Where(p => double.IsFinite(p.Second)).ToArray();
            if (finite.Length == 0) continue;
            var scatter = plot.Add.Scatter(finite.Select(p => p.First).ToArray(), finite.Select(p => p.Second).ToArray());
            scatter.LegendText = label;
            scatter.MarkerSize = finite.Length > 200 ? 0 : 3;
        }
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        if (series.Count > 1) plot.ShowLegend();
        var path = Path.Combine(dir, name);
        plot.SavePng(path, 900, 500);
        return path;
    }

    private static string Timeline(string dir, RunReportData d)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var row = 0; row < StageOrder.Length; row++)
        {
            var color = palette.GetColor(row);
            foreach (var i in d.Stages.Where(s => s.Stage == StageOrder[row]))
            {
                var r = plot.Add.Rectangle(i.Start, Math.Max(i.End, i.Start + 1e-4), row - 0.35, row + 0.35);
                r.FillColor = color;
                r.LineWidth = 0;
            }
        }
        plot.Axes.Left.SetTicks(Enumerable.Range(0, StageOrder.Length).Select(i => (double)i).ToArray(), StageOrder);
        plot.Title("Stage utilisation: overlapping bars = stages working at the same time");
        plot.XLabel("seconds since start");
        var path = Path.Combine(dir, "stages.png");
        plot.SavePng(path, 1200, 450);
        return path;
    }
}
