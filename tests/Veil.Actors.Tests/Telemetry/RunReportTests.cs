using SkiaSharp;
using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Xunit;

namespace Veil.Actors.Tests.Telemetry;

[Collection(TrainingCollection.Name)]
public class RunReportTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void A_run_writes_report_json_markdown_and_plots_that_decode_and_are_not_blank()
    {
        var run = CliRun.Of(["train", .. _data.Settings("veil.eval.every-steps=4"), "--json"]);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("acc ", run.Stdout); // accuracy at the last evaluation, in the progress line
        var dir = run.Json.GetProperty("run_dir").GetString()!;
        Assert.True(File.Exists(Path.Combine(dir, "report.json")));
        var markdown = File.ReadAllText(Path.Combine(dir, "report.md"));
        foreach (var png in new[] { "loss.png", "accuracy.png", "epsilon.png", "clip-fraction.png", "stages.png" })
        {
            Assert.Contains(png, markdown);
            using var bitmap = SKBitmap.Decode(Path.Combine(dir, png));
            Assert.NotNull(bitmap);
            Assert.True(bitmap.Width >= 800 && bitmap.Height >= 400, $"{png} is {bitmap.Width}×{bitmap.Height}");
            var colours = new HashSet<uint>();
            for (var y = 0; y < bitmap.Height; y += 3)
                for (var x = 0; x < bitmap.Width; x += 3)
                    colours.Add((uint)bitmap.GetPixel(x, y));
            Assert.True(colours.Count > 20, $"{png} looks blank ({colours.Count} colours)");
        }
    }

    [Fact]
    public void Report_regenerates_a_run_and_compares_two()
    {
        var a = CliRun.Of(["train", .. _data.Settings("veil.privacy.budget.epsilon=100"), "--json"]).Json.GetProperty("run_dir").GetString()!;
        var b = CliRun.Of(["train", .. _data.Settings("veil.privacy.budget.epsilon=100", "veil.optimizer.learning-rate=0.1"), "--json"]).Json.GetProperty("run_dir").GetString()!;
        File.Delete(Path.Combine(a, "loss.png"));
        Assert.Equal(0, CliRun.Of("report", a).ExitCode);
        Assert.True(File.Exists(Path.Combine(a, "loss.png")));
        var output = Path.Combine(_data.Folder, "compare");
        var compare = CliRun.Of("report", "--compare", a, b, "--out", output, "--json");
        Assert.Equal(0, compare.ExitCode);
        Assert.True(File.Exists(Path.Combine(output, "compare-loss.png")));
        Assert.True(File.Exists(Path.Combine(output, "compare-epsilon.png")));
    }
}
