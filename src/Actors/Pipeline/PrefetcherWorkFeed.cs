using Veil.DataLoading.Prefetch;
using Veil.DataLoading.Batching;

namespace Veil.Actors.Pipeline;

/// <summary>The production feed: DataLoading's Channels prefetcher over the run's step plans.</summary>
public sealed class PrefetcherWorkFeed(MicroBatchPrefetcher prefetcher) : IWorkFeed
{
    public ValueTask<MicroBatchData?> ReadAsync(CancellationToken cancellationToken) => prefetcher.ReadAsync(cancellationToken);

    public ValueTask DisposeAsync() => prefetcher.DisposeAsync();
}
