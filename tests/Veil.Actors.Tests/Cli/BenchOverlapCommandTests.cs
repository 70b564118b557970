using Veil.Actors.Tests.Training;
using Xunit;

namespace Veil.Actors.Tests.Cli;

[Collection(TrainingCollection.Name)]
public class BenchOverlapCommandTests
{
    [Fact]
    public void Bench_overlap_reports_live_and_preloaded_step_times_as_json()
    {
        using var data = new SyntheticFashionMnist(train: 600, test: 100);
        var run = CliRun.Of("bench", "overlap", "--source", "fashion-mnist", "--data-path", data.Folder, "--model", "mlp", "--steps", "3", "--batch", "100", "--micro-batch", "50", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.True(run.Json.GetProperty("live_ms_per_step").GetDouble() > 0);
        Assert.True(run.Json.GetProperty("preloaded_ms_per_step").GetDouble() > 0);
        Assert.InRange(run.Json.GetProperty("worker_idle_fraction").GetDouble(), 0, 1);
    }
}
