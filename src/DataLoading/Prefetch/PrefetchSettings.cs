namespace Veil.DataLoading.Prefetch;

/// <summary>
/// Performance knobs of the prefetcher; they cannot change which examples a step holds, only how
/// fast they arrive. Memory held is at most (Capacity + DecodeTasks) decoded micro-batches:
/// Capacity waiting in the channel plus one in the hands of each decode task.
/// </summary>
public sealed record PrefetchSettings
{
    /// <param name="capacity">Decoded micro-batches the channel may hold before decoders wait (≥ 1).</param>
    /// <param name="decodeTasks">Micro-batches decoded concurrently (≥ 1); about one per spare core.</param>
    public PrefetchSettings(int capacity = 8, int decodeTasks = 2)
    {
        if (capacity < 1)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "prefetch capacity must be ≥ 1 micro-batch (veil.data.prefetch)");
        if (decodeTasks < 1)
            throw new ArgumentOutOfRangeException(nameof(decodeTasks), decodeTasks, "decode tasks must be ≥ 1 (veil.data.decode-tasks)");
        Capacity = capacity;
        DecodeTasks = decodeTasks;
    }

    public int Capacity { get; }

    public int DecodeTasks { get; }
}
