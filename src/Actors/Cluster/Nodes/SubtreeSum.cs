using System.Numerics;
using System.Runtime.InteropServices;
using Akka.Actor;
using Veil.Actors.Cluster.Coordination;
using Veil.Actors.Cluster.Transport;
using Veil.Actors.Pipeline;

namespace Veil.Actors.Cluster.Nodes;

/// <summary>
/// A worker node's share of a step's reduction (not thread-safe; one per node agent): the sums of its own assignments of the
/// step, what its children sent of their sums, and its place in the step's current tree (<see cref="NodeAgentActor.Tree"/>).
/// The sum goes up chunk by chunk (<see cref="SumChunk"/>): once every assignment the tree names is summed, slice i of the
/// subtree's sum is added and given to send as soon as every child of the tree sent its slice i of the same tree, so the
/// levels of the tree add at once instead of one after the other; the header naming the shards follows the last slice, once
/// every child's header is in. Everything is given once per epoch. A newer epoch of the step drops the children's sums of
/// older ones (they may hold a lost node's work) and keeps the own sums (computed at the step's version, whatever the epoch).
/// </summary>
public sealed class SubtreeSum
{
    private sealed record Own(int[] Shards, AccumulatorActor.ClippedSum Sum);

    private readonly Dictionary<long, Own> _own = new();
    private readonly Dictionary<(ActorPath From, Guid Tree), IncomingSum> _children = new();
    private NodeAgentActor.Tree? _tree;
    private float[]? _ownSum; // the own assignments of the current tree, added once
    private int _nextChunk;
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
        _ownSum = null;
        _nextChunk = 0;
        _sent = false;
        foreach (var stale in _children.Where(c => c.Value.Step < tree.Step || c.Value.Epoch < tree.Epoch).Select(c => c.Key).ToList())
            _children.Remove(stale);
        if (double.IsNaN(_assignedAt)) _assignedAt = now;
        return true;
    }

    /// <summary>A child's sum whole (<see cref="WorkDispatcherActor.ShardSum.SumChunks"/> = 0) or the header that follows its chunks.</summary>
    public void FromChild(IActorRef from, WorkDispatcherActor.ShardSum sum)
    {
        if (Current(sum.Step, sum.Epoch)) Child(from, sum.Step, sum.Epoch, sum.Tree).Accept(sum);
    }

    public void FromChild(IActorRef from, SumChunk chunk)
    {
        if (Current(chunk.Step, chunk.Epoch)) Child(from, chunk.Step, chunk.Epoch, chunk.Tree).Accept(chunk);
    }

    /// <summary>
    /// What can go to the parent now, in order: the slices of the subtree's sum that every part has given, then, after the last, the
    /// header (a <see cref="WorkDispatcherActor.ShardSum"/> without its sum). Empty until then, and after the header was given.
    /// </summary>
    public IReadOnlyList<object> Drain(double now)
    {
        if (_tree is not { } tree || _sent || !tree.Assignments.All(_own.ContainsKey)) return [];
        var children = new IncomingSum[tree.Children.Length];
        for (var c = 0; c < children.Length; c++)
            if (!_children.TryGetValue((tree.Children[c].Path, tree.ParametersTransfer), out children[c]!)) return [];
        _ownSum ??= OwnSum(tree);
        var coordinates = children.Select(c => c.Coordinates).Append(_ownSum.Length).Max();
        foreach (var part in children.Select(c => c.Coordinates).Append(_ownSum.Length))
            if (part > 0 && part != coordinates)
                throw new InvalidOperationException($"a partial sum of {part} coordinates cannot be added to one of {coordinates}");
        var count = Math.Max(1, tree.SumChunks);
        var ready = new List<object>();
        while (coordinates > 0 && _nextChunk < count)
        {
            var parts = new ReadOnlyMemory<float>[children.Length];
            for (var c = 0; c < children.Length; c++)
                if (!children[c].TryChunk(_nextChunk, count, out parts[c])) return ready;
            var (start, length) = SumChunk.Range(_nextChunk, count, coordinates);
            var values = new float[length];
            if (_ownSum.Length > 0) AddInto(values, _ownSum.AsSpan(start, length));
            foreach (var (part, child) in parts.Zip(children))
            {
                AddInto(values, part.Span);
                child.Release(_nextChunk);
            }
            ready.Add(SumChunk.Of(tree.Step, tree.Epoch, tree.ParametersTransfer, _nextChunk, count, coordinates, values));
            _nextChunk++;
        }
        // A header that announces slices not yet here (or not yet added) waits for them, even when this node has nothing of its own.
        if (children.Any(c => c.Header is null || (coordinates <= 0 && c.Header.SumChunks > 0))) return ready;
        _sent = true;
        ready.Add(Header(tree, children.Select(c => c.Header!).ToList(), coordinates > 0 ? count : 0, now));
        return ready;
    }

    private WorkDispatcherActor.ShardSum Header(NodeAgentActor.Tree tree, List<WorkDispatcherActor.ShardSum> children, int chunks, double now)
    {
        var own = tree.Assignments.Select(a => _own[a]).ToList();
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
            own.SelectMany(o => o.Shards).Concat(children.SelectMany(c => c.Shards)).ToArray(), [],
            own.Sum(o => o.Sum.Examples) + children.Sum(c => c.Examples),
            own.Sum(o => o.Sum.LossSum) + children.Sum(c => c.LossSum),
            own.Sum(o => o.Sum.ClippedExamples) + children.Sum(c => c.ClippedExamples),
            times, chunks);
    }

    // Most nodes have one assignment a step: its sum is used as it is, without a copy.
    private float[] OwnSum(NodeAgentActor.Tree tree)
    {
        var parts = tree.Assignments.Select(a => _own[a].Sum.Sum).Where(p => p.Length > 0).ToList();
        if (parts.Count <= 1) return parts.FirstOrDefault() ?? [];
        var sum = new float[parts[0].Length];
        foreach (var part in parts)
        {
            if (part.Length != sum.Length)
                throw new InvalidOperationException($"a partial sum of {part.Length} coordinates cannot be added to one of {sum.Length}");
            AddInto(sum, part);
        }
        return sum;
    }

    // True if a part of this step and epoch (or a later one: it waits for its tree); false for a moot one.
    private bool Current(long step, int epoch) =>
        !(step < Step || (step == Step && _tree is { } tree && epoch < tree.Epoch)) && Advance(step);

    private IncomingSum Child(IActorRef from, long step, int epoch, Guid tree)
    {
        if (!_children.TryGetValue((from.Path, tree), out var sum)) _children[(from.Path, tree)] = sum = new IncomingSum(step, epoch, tree);
        return sum;
    }

    // An empty part stands for a subtree without work: it adds nothing.
    private static void AddInto(Span<float> sum, ReadOnlySpan<float> part)
    {
        if (part.Length == 0) return;
        var width = Vector<float>.Count;
        var target = MemoryMarshal.Cast<float, Vector<float>>(sum);
        var source = MemoryMarshal.Cast<float, Vector<float>>(part);
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
        foreach (var stale in _children.Where(c => c.Value.Step < step).Select(c => c.Key).ToList()) _children.Remove(stale);
        _tree = null;
        _ownSum = null;
        _nextChunk = 0;
        _sent = false;
        _assignedAt = _parametersAt = _ownDoneAt = _busyAtAssigned = _busyAtOwnDone = double.NaN;
        return true;
    }
}
