namespace Veil.DataLoading.Batching;

/// <summary>
/// A decoded micro-batch, ready for a gradient worker: owned arrays that nobody else writes, so it
/// can cross an actor boundary as is.
///
/// Augmentation multiplicity (De et al. 2022): with <see cref="Multiplicity"/> K &gt; 1 every example
/// comes as K augmentations, example-major: rows i·K … i·K+K−1 of <see cref="Inputs"/> are example
/// i's, and <see cref="Labels"/> repeats its label K times. The consumer must average the K rows'
/// gradients into one per-example gradient *before* clipping, so one example is still one clipped
/// contribution of norm ≤ C (the privacy analysis is unchanged). <see cref="Count"/> stays the number
/// of examples.
///
/// Buffers: <see cref="Inputs"/> may come from a <see cref="FloatBufferPool"/> (see the decoder that
/// made it). The last consumer may hand it back with <see cref="FloatBufferPool.Return"/> and must not
/// touch it afterwards; not returning it is always safe (the GC takes it).
/// </summary>
/// <param name="Step">The DP-SGD step (logical batch) it belongs to.</param>
/// <param name="Index">Its position within the step, 0 … MicroBatchCount−1.</param>
/// <param name="Count">Examples in it (≥ 1; 0 only when the skip policy dropped every example of it).</param>
/// <param name="Inputs">Count × Multiplicity rows of channels × height × width floats, normalised, example-major.</param>
/// <param name="Labels">Count × Multiplicity class indices (each example's label repeated K times).</param>
/// <param name="Multiplicity">K, augmentations per example (≥ 1).</param>
/// <param name="Owners">User-level steps: each example's user within the micro-batch (Count entries, 0, 1, …); the consumer combines a
/// user's examples into one contribution before clipping. Null in example-level steps.</param>
public sealed record MicroBatchData(long Step, int Index, int Count, float[] Inputs, long[] Labels, int Multiplicity = 1, int[]? Owners = null)
{
    public MicroBatchId Id => new(Step, Index);

    /// <summary>Rows of <see cref="Inputs"/>: Count × Multiplicity.</summary>
    public int Rows => Count * Multiplicity;
}
