namespace Veil.Actors.Cluster.Coordination;

/// <summary>
/// The coordinator's per-step breakdown of cluster steps (<see cref="StepTimes"/>), process-wide as <c>WireBytes</c> is:
/// `train --json` prints the mean over the steps after the first (warm-up), and `bench cluster --json` reports it.
/// </summary>
public static class ClusterStepTimes
{
    private static readonly object Gate = new();
    private static readonly List<(long Step, StepTimes Times)> Steps = new();

    public static void Record(long step, StepTimes times)
    {
        lock (Gate) Steps.Add((step, times));
    }

    /// <summary>Mean seconds per step of each part, over the recorded steps but the first; empty if there are none.</summary>
    public static IReadOnlyList<(string Part, double Seconds)> Means()
    {
        List<StepTimes> timed;
        lock (Gate)
        {
            var first = Steps.Count == 0 ? 0 : Steps.Min(s => s.Step);
            timed = Steps.Where(s => s.Step != first).Select(s => s.Times).ToList();
        }
        if (timed.Count == 0) return [];
        double Mean(Func<StepTimes, double> part) => timed.Average(part);
        var total = Mean(t => t.Total);
        var dispatch = Mean(t => t.Dispatch);
        var parameters = Mean(t => t.Nodes.Parameters);
        var compute = Mean(t => t.Nodes.Compute);
        var children = Mean(t => t.Nodes.Children);
        var gradients = Mean(t => t.Nodes.Gradients);
        var wire = Mean(t => t.Wire);
        var coordinator = Mean(t => t.Coordinator);
        return
        [
            ("dispatch", dispatch), ("node_parameters_wait", parameters), ("node_compute", compute), ("node_compute_in_gradients", gradients),
            ("tree_reduce", children),
            ("wire", wire), ("coordinator_update", coordinator),
            ("unaccounted", Math.Max(0, total - dispatch - parameters - compute - children - wire - coordinator)), ("step", total),
            ("steps_timed", timed.Count),
        ];
    }
}
