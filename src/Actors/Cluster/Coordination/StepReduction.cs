using Akka.Actor;
using Veil.Actors.Cluster.Nodes;
using Veil.DataLoading.Batching;

namespace Veil.Actors.Cluster.Coordination;

/// <summary>
/// The dispatcher's book of one step's reduction. Every shard of the step belongs to exactly one assignment and every
/// assignment to exactly one node; each epoch of the step places every node in one tree and tells it which assignments
/// it adds, so the root's one sum covers every shard exactly once. The coordinator counts a step's sum only if it is of
/// the current epoch and covers exactly the step's shards, each once: nothing is ever counted in part. When a node of
/// the tree is lost, its assignments are handed on and a new epoch begins: every sum of an earlier epoch (one that
/// may hold the lost node's work, or miss it) is refused whole, and the survivors re-add what they already computed.
/// </summary>
public sealed class StepReduction(long step, long version)
{
    private readonly Dictionary<long, (IActorRef Node, MicroBatchSpec[] Shards)> _assignments = new();
    private readonly HashSet<IActorRef> _members = new();

    public long Step { get; } = step;

    public long Version { get; } = version;

    /// <summary>−1 until the first tree is shaped.</summary>
    public int Epoch { get; private set; } = -1;

    /// <summary>True once the step's sum went to the accumulator.</summary>
    public bool Counted { get; private set; }

    public IActorRef? Root { get; private set; }

    /// <summary>The current epoch's tree (its parameter broadcast's transfer id); a sum must name it.</summary>
    public Guid Tree { get; private set; }

    public void Assigned(long assignment, IActorRef node, MicroBatchSpec[] shards) => _assignments[assignment] = (node, shards);

    /// <summary>True if <paramref name="node"/> is in the current tree or holds an assignment of the step.</summary>
    public bool Involves(IActorRef node) => _members.Contains(node) || _assignments.Values.Any(a => a.Node.Equals(node));

    /// <summary>Removes the assignments of a lost node and returns their shards, to be assigned again.</summary>
    public MicroBatchSpec[] Orphan(IActorRef node)
    {
        var lost = _assignments.Where(a => a.Value.Node.Equals(node)).ToList();
        foreach (var a in lost) _assignments.Remove(a.Key);
        _members.Remove(node);
        return lost.SelectMany(a => a.Value.Shards).ToArray();
    }

    /// <summary>
    /// Opens a new epoch with a tree over <paramref name="ordered"/> (every node that holds an assignment must be in it) and
    /// returns each node's place; <paramref name="transfer"/> names the parameter broadcast the nodes forward to their children. Each
    /// node has at most <paramref name="fanIn"/> children; sums go up in <paramref name="sumChunks"/> slices.
    /// </summary>
    public IReadOnlyList<(IActorRef Node, NodeAgentActor.Tree Tree)> Shape(
        IReadOnlyList<IActorRef> ordered, IActorRef coordinator, Guid transfer, int fanIn = ReductionTree.FanIn, int sumChunks = 1)
    {
        if (Counted) throw new InvalidOperationException($"step {Step} is already counted: it needs no other tree");
        foreach (var (node, _) in _assignments.Values)
            if (!ordered.Contains(node)) throw new InvalidOperationException($"a node with work of step {Step} is missing from its tree");
        Epoch++;
        Tree = transfer;
        _members.Clear();
        _members.UnionWith(ordered);
        Root = ordered.Count > 0 ? ordered[0] : null;
        return ordered.Select((node, i) =>
        {
            var parent = ReductionTree.ParentOf(i, fanIn) is var p and >= 0 ? ordered[p] : coordinator;
            var children = ReductionTree.ChildrenOf(i, ordered.Count, fanIn).Select(c => ordered[c]).ToArray();
            var own = _assignments.Where(a => a.Value.Node.Equals(node)).Select(a => a.Key).Order().ToArray();
            return (node, new NodeAgentActor.Tree(Step, Epoch, Version, transfer, parent, children, own, sumChunks));
        }).ToList();
    }

    /// <summary>
    /// Whether <paramref name="sum"/> is the step's whole sum: of this step and epoch, not yet counted, covering every shard of
    /// the step's assignments exactly once. Anything else is refused whole, with the reason.
    /// </summary>
    public bool Accept(WorkDispatcherActor.ShardSum sum, out string reason)
    {
        if (sum.Step != Step || sum.Epoch != Epoch || sum.Tree != Tree || Counted)
        {
            reason = $"a sum of step {sum.Step} epoch {sum.Epoch} arrived at step {Step} epoch {Epoch}{(Counted ? " (counted)" : "")}";
            return false;
        }
        var expected = _assignments.Values.SelectMany(a => a.Shards).Select(s => s.Id.Index).Order().ToArray();
        var covered = sum.Shards.Order().ToArray();
        if (!covered.SequenceEqual(expected))
        {
            reason = $"the sum of step {Step} epoch {Epoch} covers {covered.Length} shard(s) ({covered.Distinct().Count()} distinct), " +
                $"not the step's {expected.Length}";
            return false;
        }
        Counted = true;
        reason = "";
        return true;
    }
}
