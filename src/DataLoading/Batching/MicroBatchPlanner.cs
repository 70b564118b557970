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

    /// <summary>
    /// Plans a user-level step: whole users, in order, packed into micro-batches of at most <see cref="MaxMicroBatchSize"/> examples.
    /// A user is never split, so each user's contribution is formed and clipped inside one micro-batch, on one worker, on one node.
    /// </summary>
    public StepPlan PlanUsers(long step, IReadOnlyList<int[]> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        var microBatches = new List<MicroBatchSpec>();
        var indices = new List<int>();
        var owners = new List<int>();
        void Close()
        {
            if (indices.Count == 0) return;
            microBatches.Add(new MicroBatchSpec(new MicroBatchId(step, microBatches.Count), indices.ToArray(), owners.ToArray()));
            indices.Clear();
            owners.Clear();
        }
        foreach (var examples in users)
        {
            if (examples.Length > MaxMicroBatchSize)
                throw new ArgumentOutOfRangeException(nameof(users),
                    $"a user brings {examples.Length} examples but a micro-batch holds {MaxMicroBatchSize}: set veil.runtime.micro-batch-size " +
                    "≥ veil.privacy.examples-per-user");
            if (examples.Length == 0) continue;
            if (indices.Count + examples.Length > MaxMicroBatchSize) Close();
            var user = owners.Count == 0 ? 0 : owners[^1] + 1;
            indices.AddRange(examples);
            owners.AddRange(Enumerable.Repeat(user, examples.Length));
        }
        Close();
        return new StepPlan(step, microBatches);
    }
}
