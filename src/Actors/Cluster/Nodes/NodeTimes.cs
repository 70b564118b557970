namespace Veil.Actors.Cluster.Nodes;

/// <summary>
/// Where a subtree's time of one step went, in seconds, carried up the reduction tree with its sum: each field is the
/// largest over the subtree's nodes, so at the coordinator it approximates the step's critical path on the nodes.
/// </summary>
/// <param name="Parameters">From the node's first assignment of the step until the parameters of its version were there.</param>
/// <param name="Compute">From the node's first assignment of the step until its own assignments were summed (decode, gradients, node sum).</param>
/// <param name="Children">From the node's own sum until its children's sums had arrived and been added.</param>
/// <param name="Gradients">Of <paramref name="Compute"/>, the time the node's gradient workers spent inside their computations (summed over
/// its workers); the rest is waiting for decoded examples and the node pipeline's own messages.</param>
public sealed record NodeTimes(double Parameters, double Compute, double Children, double Gradients = 0)
{
    public static readonly NodeTimes Zero = new(0, 0, 0);

    public NodeTimes Max(NodeTimes other) =>
        new(Math.Max(Parameters, other.Parameters), Math.Max(Compute, other.Compute), Math.Max(Children, other.Children),
            Math.Max(Gradients, other.Gradients));
}
