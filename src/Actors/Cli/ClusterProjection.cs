using Veil.Actors.Benchmarks;

namespace Veil.Actors.Cli;

/// <summary>`bench cluster --project`: the cost model fitted to the measured points, and its examples/s on larger clusters and real links.</summary>
public static class ClusterProjection
{
    /// <summary>Akka.Remote's time per message hop on a data-centre network (TCP, one frame): assumed, not fitted (docs/cluster.md).</summary>
    public const double LatencyPerHop = 200e-6;

    public static readonly int[] Nodes = [8, 16, 64];

    /// <summary>The cost model fitted to the measured cluster sizes, and the points it was fitted to.</summary>
    public static (ClusterCostModel Model, IReadOnlyList<ClusterCostModel.Point> Points) Fit(
        IReadOnlyList<ClusterBenchmark.Result> measured, double expectedBatch, int cores)
    {
        var points = measured.Where(r => r.Nodes > 0)
            .Select(r => new ClusterCostModel.Point(r.Nodes, expectedBatch, r.SecondsPerStep, Parallelism(measured, r, cores))).ToList();
        return (ClusterCostModel.Fit(points, measured[0].Parameters, SecondsPerByte(measured[0].Parameters), LatencyPerHop), points);
    }

    /// <summary>
    /// The CPU's time per byte of a transfer, both ends: encoding a parameter message of <paramref name="parameters"/> floats, cutting it
    /// into chunks with its SHA-256, rebuilding and checking it, decoding it (the best of three, in this process).
    /// </summary>
    public static double SecondsPerByte(long parameters)
    {
        var message = new Veil.Actors.Cluster.Nodes.NodeAgentActor.Parameters(0, new float[parameters]);
        var best = double.PositiveInfinity;
        long bytes = 0;
        for (var i = 0; i < 3; i++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (kind, encoded) = Veil.Actors.Cluster.Transport.ClusterWireFormat.Encode(message);
            var inbox = new Veil.Actors.Cluster.Transport.ChunkReassembler();
            object? whole = null;
            foreach (var chunk in Veil.Actors.Cluster.Transport.TensorTransfer.Split(kind, encoded, 1 << 20)) whole = inbox.Accept(chunk);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
            bytes = encoded.LongLength;
            GC.KeepAlive(whole);
        }
        return best / Math.Max(1, bytes);
    }

    /// <summary>
    /// How many nodes' worth of compute a measured run had: n on a machine with a core for each, less where the nodes shared cores
    /// (with each other or with other work). Read from the breakdown: the slowest node's gradient time for its L/n examples against
    /// the one-node run's for all L (ideal: 1/n of it); the machine's cores bound it, and it is never below one node's share.
    /// </summary>
    public static double Parallelism(IReadOnlyList<ClusterBenchmark.Result> measured, ClusterBenchmark.Result run, int cores)
    {
        var bound = Math.Min(run.Nodes, cores);
        double Gradients(ClusterBenchmark.Result r) => r.StepSeconds.FirstOrDefault(x => x.Part == "node_compute_in_gradients").Seconds;
        if (measured.FirstOrDefault(r => r.Nodes == 1) is not { } one || Gradients(one) <= 0 || Gradients(run) <= 0) return bound;
        return Math.Clamp(Gradients(one) / Gradients(run), 1.0 / run.Nodes, bound);
    }

    public static readonly double[] LinksGbps = [10, 25, 100];

    /// <param name="cores">Cores of the machine the points were measured on: no more nodes than that computed at once.</param>
    public static (string, object?)[] Of(IReadOnlyList<ClusterBenchmark.Result> measured, double expectedBatch, int cores)
    {
        var (model, points) = Fit(measured, expectedBatch, cores);
        var parameters = model.Parameters;
        return
        [
            ("compute_s_per_example", model.ComputePerExample), ("fixed_s_per_step", model.FixedPerStep), ("s_per_byte", model.SecondsPerByte),
            ("latency_s_per_hop", model.LatencyPerHop), ("parameters", parameters), ("fan_in", model.FanIn),
            ("measured_on_cores", cores),
            ("fitted", points.Select(p => new (string, object?)[]
            {
                ("nodes", p.Nodes), ("parallelism", p.Parallelism), ("measured_s_per_step", p.SecondsPerStep),
                ("model_s_per_step", model.SecondsPerStep(p.Nodes, expectedBatch, parallelism: p.Parallelism)),
            })),
            ("predicted", Nodes.SelectMany(n => LinksGbps.Select(gbps => new (string, object?)[]
            {
                ("nodes", n), ("link_gbps", gbps), ("examples_per_s", model.ExamplesPerSecond(n, expectedBatch, gbps * 1e9 / 8)),
                ("s_per_step", model.SecondsPerStep(n, expectedBatch, gbps * 1e9 / 8)),
            }))),
        ];
    }
}
