using System.Numerics;
using System.Runtime.InteropServices;
using Akka.Actor;
using Veil.Actors.Cluster.Coordination;
using Veil.Actors.Pipeline;

namespace Veil.Actors.Cluster.Nodes;

/// <summary>
/// A worker node's share of a step's reduction (not thread-safe; one per node agent): the sums of its own assignments of the
/// step, the sums its children sent, and its place in the step's current tree (<see cref="NodeAgentActor.Tree"/>). Once
/// every assignment the tree names is summed and every child of the tree sent its sum of the same epoch, it gives the one
/// combined sum to send to the parent, once per epoch. A newer epoch of the step drops the children's sums of older ones
/// (they may hold a lost node's work) and keeps the own sums (computed at the step's version, whatever the epoch).
/// </summary>
public sealed class SubtreeSum
{
    private sealed record Own(int[] Shards, AccumulatorActor.ClippedSum Sum);

    private readonly Dictionary<long, Own> _own = new();
    private readonly List<(IActorRef From, WorkDispatcherActor.ShardSum Sum)> _children = new();
    private NodeAgentActor.Tree? _tree;
    private bool _sent;
    private double _assignedAt = double.NaN;
    private double _parametersAt = double.NaN;
    private double _ownDoneAt = double.NaN;
    private double _busyAtAssigned = double.NaN;
    private double _busyAtOwnDone = double.NaN;

    /// <summary>The step this node is reducing, −1 before the first.</summary>
    public long Step { get; private set; } = -1;

    /// <summary>The tree the next sum goes up, or null.</summary>
    public NodeAgentActor.Tree? Tree => _tree;

    /// <param name="busy">Seconds the node's gradient workers have computed so far (the process's total).</param>
    public void Assigned(long step, double now, double busy)
    {
        if (!Advance(step)) return;
        if (!double.IsNaN(_assignedAt)) return;
        _assignedAt = now;
        _busyAtAssigned = busy;
    }

    public void ParametersArrived(long version, double now)
    {
        if (version == Step && double.IsNaN(_parametersAt)) _parametersAt = now;
    }

    /// <summary>The node's sum of one of its assignments of <paramref name="step"/>.</summary>
    public void Summed(long step, long assignment, int[] shards, AccumulatorActor.ClippedSum sum, double now, double busy)
    {
        if (!Advance(step)) return;
        _own[assignment] = new Own(shards, sum);
        _ownDoneAt = now;
        _busyAtOwnDone = busy;
    }

    /// <summary>Takes the node's place in a tree; false if the tree is older than the one it has.</summary>
    public bool Place(NodeAgentActor.Tree tree, double now)
    {
        if (tree.Step < Step || (tree.Step == Step && _tree is { } current && tree.Epoch <= current.Epoch)) return false;
        Advance(tree.Step);
        _tree = tree;
        _sent = false;
        _children.RemoveAll(c => c.Sum.Step < tree.Step || c.Sum.Epoch < tree.Epoch);
        if (double.IsNaN(_assignedAt)) _assignedAt = now;
        return true;
    }

    public void FromChild(IActorRef from, WorkDispatcherActor.ShardSum sum)
    {
        if (sum.Step < Step || (sum.Step == Step && _tree is { } tree && sum.Epoch < tree.Epoch)) return;
        Advance(sum.Step);
        _children.Add((from, sum));
    }

    /// <summary>The subtree's one sum of the current epoch, once everything it needs is in; null until then, and after it was given.</summary>
    public WorkDispatcherActor.ShardSum? TryComplete(double now)
    {
        if (_tree is not { } tree || _sent || !tree.Assignments.All(_own.ContainsKey)) return null;
        var children = new List<WorkDispatcherActor.ShardSum>();
        foreach (var child in tree.Children)
        {
            var sent = _children.LastOrDefault(c => c.From.Path.Equals(child.Path) && c.Sum.Tree == tree.ParametersTransfer);
            if (sent.Sum is null) return null;
            children.Add(sent.Sum);
        }
        _sent = true;
        var own = tree.Assignments.Select(a => _own[a]).ToList();
        var length = own.Select(o => o.Sum.Sum.Length).Concat(children.Select(c => c.Sum.Length)).DefaultIfEmpty(0).Max();
        var sum = new float[length];
        foreach (var part in own.Select(o => o.Sum.Sum).Concat(children.Select(c => c.Sum))) AddInto(sum, part);
        var ownDone = tree.Assignments.Length == 0 || double.IsNaN(_ownDoneAt) ? now : _ownDoneAt;
        var assigned = double.IsNaN(_assignedAt) ? now : _assignedAt;
        var parameters = double.IsNaN(_parametersAt) ? assigned : Math.Max(assigned, _parametersAt);
        var gradients = double.IsNaN(_busyAtOwnDone) || double.IsNaN(_busyAtAssigned) ? 0 : Math.Max(0, _busyAtOwnDone - _busyAtAssigned);
        // The subtree's critical path: the slowest of its own work and its children's paths; what is left of the time since the
        // assignment is the reduction's (hops and waits up the tree). Durations only: the nodes' clocks are never compared.
        var critical = children.Select(c => c.Times ?? NodeTimes.Zero)
            .Append(new NodeTimes(parameters - assigned, Math.Max(0, ownDone - parameters), 0, gradients))
            .MaxBy(t => t.Parameters + t.Compute)!;
        var times = critical with { Children = Math.Max(0, now - assigned - critical.Parameters - critical.Compute) };
        return new WorkDispatcherActor.ShardSum(
            tree.Step, tree.Epoch, tree.ParametersTransfer,
            own.SelectMany(o => o.Shards).Concat(children.SelectMany(c => c.Shards)).ToArray(), sum,
            own.Sum(o => o.Sum.Examples) + children.Sum(c => c.Examples),
            own.Sum(o => o.Sum.LossSum) + children.Sum(c => c.LossSum),
            own.Sum(o => o.Sum.ClippedExamples) + children.Sum(c => c.ClippedExamples),
            times);
    }

    // An empty part stands for a subtree without work: it adds nothing.
    private static void AddInto(float[] sum, float[] part)
    {
        if (part.Length == 0) return;
        if (part.Length != sum.Length)
            throw new InvalidOperationException($"a partial sum of {part.Length} coordinates cannot be added to one of {sum.Length}");
        var width = Vector<float>.Count;
        var target = MemoryMarshal.Cast<float, Vector<float>>(sum.AsSpan());
        var source = MemoryMarshal.Cast<float, Vector<float>>(part.AsSpan());
        for (var i = 0; i < target.Length; i++) target[i] += source[i];
        for (var i = target.Length * width; i < sum.Length; i++) sum[i] += part[i];
    }

    // A later step drops everything of the earlier one; false for an earlier step (moot).
    private bool Advance(long step)
    {
        if (step < Step) return false;
        if (step == Step) return true;
        Step = step;
        _own.Clear();
        _children.RemoveAll(c => c.Sum.Step < step);
        _tree = null;
        _sent = false;
        _assignedAt = _parametersAt = _ownDoneAt = _busyAtAssigned = _busyAtOwnDone = double.NaN;
        return true;
    }
}
