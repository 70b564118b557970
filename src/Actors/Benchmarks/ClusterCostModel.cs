using Veil.Actors.Cluster.Coordination;

namespace Veil.Actors.Benchmarks;

/// <summary>
/// A cost model of one synchronous cluster step, fitted to measured points and used to project to clusters and links that were
/// not measured. For n worker nodes, expected batch L and P parameters:
/// <code>
///   T(n) = c · L / n  +  f  +  (b + 1/bandwidth) · W(n)  +  λ · H(n)
///   W(n) = 4P · (min(k, max(1, n − 1)) + 1 + min(k, n − 1))  +  k · d(n) · min(4P, C)    bytes on the step's critical path
///   H(n) = 2 · (d(n) + 1)                                      message hops down and up the tree
/// </code>
/// c is the compute time per example on one node (decode, gradients, clipping), f the fixed cost per step (dispatch,
/// coordinator noise, ledger append, update), b the CPU's time per byte moved (encoding, SHA-256, copies, loopback),
/// k the tree's fan-in, d(n) = ⌊log_k n⌋ its depth and C the chunk size. The broadcast is pipelined: its critical path is one
/// node's egress of k copies; so is the reduction: the levels add chunk by chunk at once, so its critical path is the root's
/// ingress of k sums plus one chunk per child and level (a sum smaller than a chunk is one chunk: it is not pipelined).
/// The measured points are on loopback (bandwidth = ∞ there), so a fit finds c and f (non-negative least squares) for a
/// measured b and an assumed λ, and a projection adds the link's time per byte and λ per hop. Where more nodes were measured than the machine had
/// cores, the compute term of a point divides by the nodes that could run at once, not by n.
/// </summary>
public sealed record ClusterCostModel(double ComputePerExample, double FixedPerStep, double SecondsPerByte, double LatencyPerHop, long Parameters,
    int FanIn = ReductionTree.FanIn, int ChunkBytes = ClusterCostModel.DefaultChunkBytes)
{
    /// <summary>
    /// One measured cluster size: n nodes, expected batch L, seconds per step. <paramref name="Parallelism"/> is how many nodes could
    /// compute at once where it was measured: n on machines of their own, fewer when n processes share fewer cores (loopback).
    /// </summary>
    public sealed record Point(int Nodes, double ExpectedBatch, double SecondsPerStep, double Parallelism)
    {
        public Point(int nodes, double expectedBatch, double secondsPerStep) : this(nodes, expectedBatch, secondsPerStep, nodes) { }
    }

    public static int Depth(int nodes, int fanIn = ReductionTree.FanIn)
    {
        var depth = 0;
        for (var i = nodes - 1; i > 0; i = ReductionTree.ParentOf(i, fanIn)) depth++;
        return depth;
    }

    /// <summary>veil.cluster.chunk-bytes's default.</summary>
    public const int DefaultChunkBytes = 1 << 20;

    public static double CriticalBytes(int nodes, long parameters, int fanIn = ReductionTree.FanIn, int chunkBytes = DefaultChunkBytes) =>
        4.0 * parameters * (Math.Min(fanIn, Math.Max(1, nodes - 1)) + 1 + Math.Min(fanIn, nodes - 1)) +
        (double)fanIn * Depth(nodes, fanIn) * Math.Min(4.0 * parameters, chunkBytes);

    public static int Hops(int nodes, int fanIn = ReductionTree.FanIn) => 2 * (Depth(nodes, fanIn) + 1);

    /// <summary>Seconds per step for <paramref name="nodes"/> nodes and batch <paramref name="expectedBatch"/>; bandwidth in bytes/s (∞: loopback).</summary>
    /// <param name="parallelism">Nodes that compute at once (default: all of them, each on its own machine).</param>
    public double SecondsPerStep(int nodes, double expectedBatch, double bandwidth = double.PositiveInfinity, double? parallelism = null) =>
        ComputePerExample * expectedBatch / Math.Min(nodes, parallelism ?? nodes) + FixedPerStep +
        (SecondsPerByte + 1 / bandwidth) * CriticalBytes(nodes, Parameters, FanIn, ChunkBytes) +
        LatencyPerHop * Hops(nodes, FanIn);

    public double ExamplesPerSecond(int nodes, double expectedBatch, double bandwidth = double.PositiveInfinity) =>
        expectedBatch / SecondsPerStep(nodes, expectedBatch, bandwidth);

    /// <summary>
    /// Fits c and f (each ≥ 0) to the points by least squares on the relative error (each point weighs the same, whatever its step
    /// time), b and λ given: b is measured on its own (<c>bench cluster</c> times encoding, checksumming and rebuilding a parameter
    /// message in one process), λ is assumed. With a handful of points on one busy machine, a fitted b would take the blame for
    /// whatever else slows the larger clusters down; a measured one cannot.
    /// </summary>
    public static ClusterCostModel Fit(
        IReadOnlyList<Point> points, long parameters, double secondsPerByte, double latencyPerHop, int fanIn = ReductionTree.FanIn)
    {
        if (points.Count == 0) throw new ArgumentException("a cost model needs at least one measured point", nameof(points));
        var rows = points.Select(p => (
            Features: new[] { p.ExpectedBatch / Math.Min(p.Nodes, p.Parallelism), 1.0 },
            Target: p.SecondsPerStep - secondsPerByte * CriticalBytes(p.Nodes, parameters, fanIn) - latencyPerHop * Hops(p.Nodes, fanIn),
            Weight: 1 / p.SecondsPerStep)).ToList();
        // Columns scaled to a largest entry of 1: examples and seconds differ by orders of magnitude.
        var scale = Enumerable.Range(0, 2).Select(j => Math.Max(1e-300, rows.Max(r => Math.Abs(r.Features[j] * r.Weight)))).ToArray();
        double[]? best = null;
        var bestError = double.PositiveInfinity;
        // Non-negative least squares over 2 unknowns: the best of the unconstrained solutions on every subset of them.
        for (var mask = 1; mask < 4; mask++)
        {
            var used = Enumerable.Range(0, 2).Where(j => (mask & (1 << j)) != 0).ToArray();
            var solution = Solve(rows.Select(r => (used.Select(j => r.Features[j] * r.Weight / scale[j]).ToArray(), r.Target * r.Weight)).ToList());
            if (solution is null || solution.Any(x => x < 0)) continue;
            var full = new double[2];
            for (var u = 0; u < used.Length; u++) full[used[u]] = solution[u] / scale[used[u]];
            var error = rows.Sum(r => Math.Pow((r.Features[0] * full[0] + r.Features[1] * full[1] - r.Target) * r.Weight, 2));
            if (error >= bestError) continue;
            bestError = error;
            best = full;
        }
        best ??= [0, 0];
        return new ClusterCostModel(best[0], best[1], secondsPerByte, latencyPerHop, parameters, fanIn);
    }

    // Least squares through the normal equations (a few unknowns); null if they are singular.
    private static double[]? Solve(IReadOnlyList<(double[] X, double Y)> rows)
    {
        var m = rows[0].X.Length;
        var a = new double[m, m + 1];
        foreach (var (x, y) in rows)
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < m; j++) a[i, j] += x[i] * x[j];
                a[i, m] += x[i] * y;
            }
        for (var col = 0; col < m; col++)
        {
            var pivot = Enumerable.Range(col, m - col).MaxBy(r => Math.Abs(a[r, col]));
            var scale = Enumerable.Range(0, m).Max(r => Math.Abs(a[r, col]));
            if (Math.Abs(a[pivot, col]) <= 1e-12 * Math.Max(scale, 1e-300)) return null;
            for (var j = 0; j <= m; j++) (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
            for (var r = 0; r < m; r++)
            {
                if (r == col) continue;
                var factor = a[r, col] / a[col, col];
                for (var j = col; j <= m; j++) a[r, j] -= factor * a[col, j];
            }
        }
        return Enumerable.Range(0, m).Select(i => a[i, m] / a[i, i]).ToArray();
    }
}
