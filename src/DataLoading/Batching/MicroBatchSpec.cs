namespace Veil.DataLoading.Batching;

/// <summary>Which examples one micro-batch holds: sorted dataset indices, at most the micro-batch size.</summary>
public sealed record MicroBatchSpec(MicroBatchId Id, int[] Indices)
{
    public int Count => Indices.Length;
}
