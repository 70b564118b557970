using Veil.DataLoading.Batching;

namespace Veil.DataLoading.Prefetch;

/// <summary>
/// Decoding one micro-batch failed. Carries the micro-batch id and the data source (file paths),
/// and repeats the cause's message, so the reader of the channel, far from the decode task that
/// failed, sees which file and which step without digging through inner exceptions.
/// </summary>
public sealed class MicroBatchDecodeException(MicroBatchId id, string source, Exception inner)
    : Exception($"decoding micro-batch {id} from {source} failed: {inner.Message}", inner)
{
    public MicroBatchId Id { get; } = id;

    public string DataSource { get; } = source;
}
