namespace Veil.DataLoading.Batching;

/// <summary>
/// Cuts a step's indices into consecutive micro-batches of <see cref="MaxMicroBatchSize"/>, the last
/// one smaller. The micro-batch size is a memory knob only: clipping is per example and noise is
/// added once per step, so how a step is cut changes nothing in the mathematics.
/// </summary>
public sealed class MicroBatchPlanner
{
    public MicroBatchPlanner(int maxMicroBatchSize)
    {
        if (maxMicroBatchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxMicroBatchSize), maxMicroBatchSize,
                "the micro-batch size must be ≥ 1 (set veil.data.micro-batch-size to what fits the device)");
        MaxMicroBatchSize = maxMicroBatchSize;
    }

    public int MaxMicroBatchSize { get; }

    /// <summary>Plans <paramref name="indices"/> (one step's sample, in order) as micro-batches; zero indices → zero micro-batches.</summary>
    public StepPlan Plan(long step, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int count = (indices.Length + MaxMicroBatchSize - 1) / MaxMicroBatchSize;
        var microBatches = new MicroBatchSpec[count];
        for (int m = 0; m < count; m++)
        {
            int start = m * MaxMicroBatchSize;
            microBatches[m] = new MicroBatchSpec(new MicroBatchId(step, m), indices[start..Math.Min(indices.Length, start + MaxMicroBatchSize)]);
        }
        return new StepPlan(step, microBatches);
    }
}
