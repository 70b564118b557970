using Veil.Actors.Tests.LastLayer;
using Veil.Actors.Tests.Training;
using Xunit;

namespace Veil.Actors.Tests.Cli;

[Collection(TrainingCollection.Name)]
public class BenchClusterCommandTests
{
    // Real processes (a coordinator and one, then two worker nodes) on 127.0.0.1, mlp, 3 steps of L = 256: kept small, it starts processes.
    [FashionMnistFact]
    public void Measured_wire_bytes_per_step_are_one_parameter_copy_out_and_one_sum_in_whatever_the_number_of_nodes()
    {
        var run = CliRun.Of("bench", "cluster", "--nodes", "1,2", "--steps", "3", "--batch", "256", "--micro-batch", "64",
            "--model", "mlp", "--train-examples", "2000", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        foreach (var result in run.Json.GetProperty("results").EnumerateArray())
        {
            Assert.True(result.GetProperty("examples_per_s").GetDouble() > 0);
            var measured = result.GetProperty("bytes_per_step").GetInt64();
            var computed = result.GetProperty("computed_bytes_per_step").GetInt64();
            // One parameter copy to the tree's root and one reduced sum back (4 B a coordinate each), at 1 node as at 2; headers and
            // the small protocol messages add little. Far below: the transport was not counted; far above: a copy per node.
            Assert.InRange(measured, computed, computed * 3 / 2);
            Assert.True(result.GetProperty("step_seconds").GetProperty("step").GetDouble() > 0);
            // Every process of the run is sampled over the timed steps, the benchmark's own sampler beside them.
            var processes = result.GetProperty("cpu").EnumerateArray().Select(p => p.GetProperty("process").GetString()).ToList();
            var nodes = result.GetProperty("nodes").GetInt32();
            Assert.Equal(["benchmark", "coordinator", .. Enumerable.Range(1, nodes).Select(n => $"node {n}")], processes);
        }
        Assert.Equal("fashion-mnist", run.Json.GetProperty("data").GetString());
    }
}
