namespace Veil.DataLoading.Batching;

/// <summary>
/// Identity of a micro-batch: its step and its position within the step. The accumulator uses it
/// to count each micro-batch exactly once, whichever worker (or retry) delivers it.
/// </summary>
public readonly record struct MicroBatchId(long Step, int Index)
{
    public override string ToString() => $"(step {Step}, micro-batch {Index})";
}
