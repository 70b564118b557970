using Veil.DataLoading.Batching;

namespace Veil.DataLoading.Tests.Prefetch;

/// <summary>A decoder for prefetcher tests: counts calls and can fail at a chosen micro-batch.</summary>
internal sealed class CountingDecoder(IMicroBatchDecoder inner, MicroBatchId? failAt = null, Exception? failure = null) : IMicroBatchDecoder
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public string Source => inner.Source;

    public MicroBatchData Decode(MicroBatchSpec spec)
    {
        Interlocked.Increment(ref _calls);
        if (spec.Id == failAt) throw failure ?? new InvalidOperationException("injected failure");
        return inner.Decode(spec);
    }
}
