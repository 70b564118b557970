namespace Veil.Actors.Cluster.Coordination;

/// <summary>
/// The shape of a step's reduction and broadcast: a k-ary tree over the worker nodes in a fixed order. Node i's parent is
/// node (i−1)/k; node 0 (the root) has the coordinator as its parent. Sums flow up it, parameters flow down it, so the
/// coordinator sends one copy of the parameters and receives one sum per step whatever the number of nodes, and no node
/// handles more than k + 1 copies.
/// </summary>
public static class ReductionTree
{
    /// <summary>The default fan-in (veil.cluster.reduction-fan-in): a binary tree, whose depth (log₂ nodes) stays small while each
    /// node forwards to at most two children.</summary>
    public const int FanIn = 2;

    /// <summary>The parent of node <paramref name="index"/>, or −1 for the root (whose parent is the coordinator).</summary>
    public static int ParentOf(int index, int fanIn = FanIn)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), index, "nodes are numbered from 0");
        return index == 0 ? -1 : (index - 1) / fanIn;
    }

    /// <summary>The children of node <paramref name="index"/> among <paramref name="count"/> nodes.</summary>
    public static int[] ChildrenOf(int index, int count, int fanIn = FanIn)
    {
        if (fanIn < 1) throw new ArgumentOutOfRangeException(nameof(fanIn), fanIn, "a tree needs a fan-in of at least 1");
        var first = (long)fanIn * index + 1;
        return Enumerable.Range(0, fanIn).Select(k => first + k).Where(c => c < count).Select(c => (int)c).ToArray();
    }
}
