using Veil.Actors.Tests.LastLayer;
using Veil.Actors.Tests.Training;
using Xunit;

namespace Veil.Actors.Tests.Cli;

[Collection(TrainingCollection.Name)]
public class BenchClusterCommandTests
{
    // Real processes (a coordinator and one worker node) on 127.0.0.1, mlp, 3 steps of L = 256: kept small, it starts processes.
    [FashionMnistFact]
    public void Measured_wire_bytes_per_step_cover_one_parameter_broadcast_and_one_sum_per_node()
    {
        var run = CliRun.Of("bench", "cluster", "--nodes", "1", "--steps", "3", "--batch", "256", "--micro-batch", "128",
            "--model", "mlp", "--train-examples", "2000", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var result = run.Json.GetProperty("results")[0];
        Assert.True(result.GetProperty("examples_per_s").GetDouble() > 0);
        var measured = result.GetProperty("bytes_per_step").GetInt64();
        var computed = result.GetProperty("computed_bytes_per_step").GetInt64();
        // Every step sends the parameters out and a sum back (4 B a coordinate each); headers and the
        // small protocol messages add little. Far below: the transport was not counted; far above: sent twice.
        Assert.InRange(measured, computed, computed * 3 / 2);
        Assert.Equal("fashion-mnist", run.Json.GetProperty("data").GetString());
    }
}
