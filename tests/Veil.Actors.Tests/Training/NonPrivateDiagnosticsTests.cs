using System.Text.Json;
using Veil.Actors.Tests.Cli;
using Xunit;

namespace Veil.Actors.Tests.Training;

/// <summary>
/// Loss, clipped fraction and realised batch size are computed from private data without noise: an operator who
/// may not see them turns them off, and then no line and no report carries them.
/// </summary>
[Collection(TrainingCollection.Name)]
public class NonPrivateDiagnosticsTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void With_non_private_diagnostics_off_no_progress_line_or_report_carries_them()
    {
        var run = CliRun.Of(["train", "--json", .. _data.Settings("veil.dp.epochs=1", "veil.telemetry.non-private-diagnostics=off")]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var steps = run.Stdout.Split('\n').Where(l => l.StartsWith("step ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(steps);
        Assert.All(steps, l =>
        {
            Assert.DoesNotContain("loss", l);
            Assert.DoesNotContain("clipped", l);
            Assert.DoesNotContain("batch", l);
        });
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Json.GetProperty("run_dir").GetString()!, "report.json")));
        Assert.All(report.RootElement.GetProperty("StepSeries").EnumerateArray(), p =>
        {
            Assert.Equal("NaN", p.GetProperty("Loss").GetString());
            Assert.Equal("NaN", p.GetProperty("ClipFraction").GetString());
            Assert.Equal(0, p.GetProperty("Examples").GetInt32());
        });
    }

    [Fact]
    public void By_default_the_operator_sees_them_on_the_progress_line()
    {
        var run = CliRun.Of(["train", .. _data.Settings("veil.dp.epochs=1")]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.Contains(run.Stdout.Split('\n'), l => l.StartsWith("step ", StringComparison.Ordinal) && l.Contains("loss") && l.Contains("clipped"));
    }
}
