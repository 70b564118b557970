namespace Veil.DataLoading.Batching;

/// <summary>
/// Which examples one micro-batch holds: dataset indices, at most the micro-batch size (sorted, or user by user in a user-level step).
/// <see cref="Owners"/>, in user-level steps only, gives each example's user within the micro-batch (0, 1, …, one per index): a user's
/// examples are always in one micro-batch, so their gradients can be combined and clipped as one contribution there.
/// </summary>
public sealed record MicroBatchSpec(MicroBatchId Id, int[] Indices, int[]? Owners = null)
{
    public int Count => Indices.Length;
}
