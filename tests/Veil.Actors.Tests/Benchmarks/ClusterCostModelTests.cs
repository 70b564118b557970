using Veil.Actors.Benchmarks;
using Xunit;

namespace Veil.Actors.Tests.Benchmarks;

/// <summary>The cluster cost model behind `bench cluster --project`.</summary>
public class ClusterCostModelTests
{
    [Fact]
    public void The_fit_recovers_the_parameters_of_points_drawn_from_a_known_model()
    {
        var truth = new ClusterCostModel(ComputePerExample: 9e-5, FixedPerStep: 0.04, SecondsPerByte: 2e-9, LatencyPerHop: 2e-4, Parameters: 11_000_000);
        var points = new[] { 1, 2, 3, 5 }.Select(n => new ClusterCostModel.Point(n, 1024, truth.SecondsPerStep(n, 1024))).ToList();
        var fitted = ClusterCostModel.Fit(points, truth.Parameters, truth.SecondsPerByte, truth.LatencyPerHop);
        Assert.Equal(truth.ComputePerExample, fitted.ComputePerExample, 1e-9);
        Assert.Equal(truth.FixedPerStep, fitted.FixedPerStep, 1e-7);
        Assert.Equal(truth.SecondsPerByte, fitted.SecondsPerByte);
    }

    [Fact]
    public void The_model_puts_the_coordinators_bytes_and_the_trees_depth_on_the_critical_path()
    {
        Assert.Equal([0, 1, 1, 2, 2, 2, 2, 3], new[] { 1, 2, 3, 4, 5, 6, 7, 8 }.Select(n => ClusterCostModel.Depth(n)));
        Assert.Equal(4.0 * 10 * 2, ClusterCostModel.CriticalBytes(1, 10)); // one copy down, one sum up
        Assert.Equal(4.0 * 10 * (2 + 1 + 2) + 2 * 6 * 4.0 * 10, ClusterCostModel.CriticalBytes(64, 10)); // a sum below a chunk: one chunk a level
        Assert.Equal(4.0 * 1e6 * (2 + 1 + 2) + 2 * 6 * 65536.0, ClusterCostModel.CriticalBytes(64, 1_000_000, chunkBytes: 65536)); // pipelined
        var model = new ClusterCostModel(1e-4, 0.05, 0, 2e-4, 11_000_000);
        Assert.True(model.ExamplesPerSecond(64, 65536, 100e9 / 8) > model.ExamplesPerSecond(64, 65536, 10e9 / 8));
        Assert.True(model.ExamplesPerSecond(64, 65536, 100e9 / 8) > model.ExamplesPerSecond(8, 65536, 100e9 / 8));
    }

    /// <summary>
    /// Measured on loopback, 2 cores (docs/benchmarks.md, `bench cluster --project --json`: seconds per step and the slowest node's gradient
    /// time per step): the model fitted as `--project` fits it must give each point back within 15 %.
    /// </summary>
    [Theory]
    [InlineData(26_010, 2048, new[] { 1, 2, 3 }, new[] { 0.2953, 0.4237, 0.5097 }, new[] { 0.251, 0.3636, 0.3856 })] // tanh-cnn
    [InlineData(26_010, 2048, new[] { 1, 2, 3 }, new[] { 0.2563, 0.4781, 0.6153 }, new[] { 0.2365, 0.3483, 0.5334 })] // tanh-cnn, again
    [InlineData(26_010, 2048, new[] { 1, 2, 3 }, new[] { 0.2557, 0.3076, 0.2877 }, new[] { 0.2036, 0.2213, 0.1987 })] // tanh-cnn, the third run
    [InlineData(11_173_962, 1024, new[] { 1, 2 }, new[] { 44.0985, 34.557 }, new[] { 44.267, 31.502 })] // resnet18-gn-32
    [InlineData(11_173_962, 1024, new[] { 1, 2 }, new[] { 37.2055, 34.239 }, new[] { 36.1853, 34.0379 })] // resnet18-gn-32, again
    public void The_fitted_model_reproduces_the_measured_points_within_15_percent(
        long parameters, double batch, int[] nodes, double[] seconds, double[] gradients)
    {
        var measured = nodes.Select((n, i) => new ClusterBenchmark.Result(
            n, batch / seconds[i], seconds[i], 225_000, 8 * parameters, [("node_compute_in_gradients", gradients[i])], parameters, [])).ToList();
        var (model, points) = Veil.Actors.Cli.ClusterProjection.Fit(measured, batch, cores: 2);
        Assert.Equal(nodes.Length, points.Count);
        Assert.All(points, p => Assert.InRange(model.SecondsPerStep(p.Nodes, p.ExpectedBatch, parallelism: p.Parallelism) / p.SecondsPerStep, 0.85, 1.15));
    }
}
