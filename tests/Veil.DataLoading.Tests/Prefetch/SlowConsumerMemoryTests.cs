using Veil.DataLoading.Augmentation;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Prefetch;
using Veil.DataLoading.Sources;
using Xunit;

namespace Veil.DataLoading.Tests.Prefetch;

public sealed class SlowConsumerMemoryTests
{
    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    public async Task Under_a_slow_consumer_live_buffers_never_exceed_capacity_plus_decode_tasks_plus_the_one_being_consumed(int capacity, int tasks)
    {
        ImageDataset data = SyntheticImageDataset.Create(64, seed: 60);
        var pool = new FloatBufferPool();
        var decoder = new SourceMicroBatchDecoder(new InMemoryImageSource(data), AugmentationSettings.None(), pool: pool);
        // 30 micro-batches of 8 examples each (one buffer length, so every returned buffer can be reused).
        StepPlan[] plans = Enumerable.Range(0, 10).Select(s => new StepPlan(s,
            Enumerable.Range(0, 3).Select(m => new MicroBatchSpec(new MicroBatchId(s, m), Enumerable.Range(m * 8, 8).ToArray())).ToArray())).ToArray();

        int delivered = 0, maxBuffered = 0;
        await using (var prefetcher = new MicroBatchPrefetcher(decoder, plans, new PrefetchSettings(capacity, tasks)))
        {
            while (await prefetcher.ReadAsync() is { } batch)
            {
                maxBuffered = Math.Max(maxBuffered, prefetcher.Buffered);
                await Task.Delay(3);                  // the slow gradient step
                pool.Return(batch.Inputs);
                delivered++;
            }
        }
        Assert.Equal(30, delivered);
        Assert.True(maxBuffered <= capacity, $"channel held {maxBuffered} > capacity {capacity}");
        Assert.True(pool.Allocated <= capacity + tasks + 1, $"{pool.Allocated} buffers allocated for capacity {capacity} + {tasks} decode tasks + 1 in use");
        Assert.True(pool.Reused >= 30 - pool.Allocated);
    }
}
