using Veil.Actors.Benchmarks;

namespace Veil.Actors.Cli;

/// <summary>`bench cluster --project`: the cost model fitted to the measured points, and its examples/s on larger clusters and real links.</summary>
public static class ClusterProjection
{
    /// <summary>Akka.Remote's time per message hop on a data-centre network (TCP, one frame): assumed, not fitted (docs/cluster.md).</summary>
    public const double LatencyPerHop = 200e-6;

    public static readonly int[] Nodes = [8, 16, 64];

    public static readonly double[] LinksGbps = [10, 25, 100];

    /// <param name="cores">Cores of the machine the points were measured on: no more nodes than that computed at once.</param>
    public static (string, object?)[] Of(IReadOnlyList<ClusterBenchmark.Result> measured, double expectedBatch, int cores)
    {
        var parameters = measured[0].Parameters;
        var model = ClusterCostModel.Fit(
            measured.Where(r => r.Nodes > 0).Select(r => new ClusterCostModel.Point(r.Nodes, expectedBatch, r.SecondsPerStep, Math.Min(r.Nodes, cores)))
                .ToList(),
            parameters, LatencyPerHop);
        return
        [
            ("compute_s_per_example", model.ComputePerExample), ("fixed_s_per_step", model.FixedPerStep), ("s_per_byte", model.SecondsPerByte),
            ("latency_s_per_hop", model.LatencyPerHop), ("parameters", parameters), ("fan_in", model.FanIn),
            ("measured_on_cores", cores),
            ("fitted", measured.Where(r => r.Nodes > 0).Select(r => new (string, object?)[]
            {
                ("nodes", r.Nodes), ("measured_s_per_step", r.SecondsPerStep),
                ("model_s_per_step", model.SecondsPerStep(r.Nodes, expectedBatch, parallelism: Math.Min(r.Nodes, cores))),
            })),
            ("predicted", Nodes.SelectMany(n => LinksGbps.Select(gbps => new (string, object?)[]
            {
                ("nodes", n), ("link_gbps", gbps), ("examples_per_s", model.ExamplesPerSecond(n, expectedBatch, gbps * 1e9 / 8)),
                ("s_per_step", model.SecondsPerStep(n, expectedBatch, gbps * 1e9 / 8)),
            }))),
        ];
    }
}
