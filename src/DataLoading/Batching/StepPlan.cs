namespace Veil.DataLoading.Batching;

/// <summary>
/// One logical batch (one DP-SGD step) cut into micro-batches. <see cref="MicroBatchCount"/> is
/// what the accumulator must expect before it releases the step's sum to the noise stage.
///
/// A Poisson batch can be empty: then <see cref="MicroBatches"/> is empty and MicroBatchCount is 0,
/// but the step still happens. The noise is still drawn and added (to a zero sum), the DP event
/// is still recorded and the parameters still move: skipping empty steps would make the release
/// depend on the batch size and break the accountant's guarantee.
/// </summary>
public sealed record StepPlan(long Step, IReadOnlyList<MicroBatchSpec> MicroBatches)
{
    public int MicroBatchCount => MicroBatches.Count;

    /// <summary>The realised batch size |B_t| (for telemetry; the update divides by qN, not by this).</summary>
    public int ExampleCount => MicroBatches.Sum(m => m.Count);
}
