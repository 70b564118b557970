namespace Veil.Actors.Cluster.Nodes;

/// <summary>
/// Where a subtree's time of one step went, in seconds, carried up the reduction tree with its sum: the step's critical path
/// on the nodes, i.e. the times of the node whose own work finished last, and the rest of the subtree root's time.
/// </summary>
/// <param name="Parameters">From the node's first assignment of the step until the parameters of its version were there.</param>
/// <param name="Compute">From then until its own assignments were summed (decode, gradients, node sum).</param>
/// <param name="Children">The rest of the subtree root's time, from its first assignment until it sent the subtree's sum: the
/// reduction's hops and waits up the tree.</param>
/// <param name="Gradients">Of <paramref name="Compute"/>, the time the node's gradient workers spent inside their computations (summed over
/// its workers); the rest is waiting for decoded examples and the node pipeline's own messages.</param>
public sealed record NodeTimes(double Parameters, double Compute, double Children, double Gradients = 0)
{
    public static readonly NodeTimes Zero = new(0, 0, 0);
}
