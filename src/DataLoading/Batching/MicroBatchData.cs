namespace Veil.DataLoading.Batching;

/// <summary>
/// A decoded micro-batch, ready for a gradient worker: owned arrays that nobody else writes, so it
/// can cross an actor boundary as is.
/// </summary>
/// <param name="Step">The DP-SGD step (logical batch) it belongs to.</param>
/// <param name="Index">Its position within the step, 0 … MicroBatchCount−1.</param>
/// <param name="Count">Examples in it (≥ 1).</param>
/// <param name="Inputs">Count × channels × height × width floats, normalised, example-major.</param>
/// <param name="Labels">Count class indices.</param>
public sealed record MicroBatchData(long Step, int Index, int Count, float[] Inputs, long[] Labels)
{
    public MicroBatchId Id => new(Step, Index);
}
