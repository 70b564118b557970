using Veil.DataLoading.Batching;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Prefetch;
using Veil.DataLoading.Sampling;
using Xunit;

namespace Veil.DataLoading.Tests.Prefetch;

public sealed class MicroBatchPrefetcherTests
{
    private static readonly ImageDataset Data = SyntheticImageDataset.Create(2000, seed: 4);
    private static readonly MicroBatchDecoder Decoder = new(Data, PixelNormalization.FashionMnist);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static StepPlanner Planner(double q = 0.05, int m = 16) =>
        new(new PoissonSampler(Data.Count, q, SamplerSeed.FromUInt64(6)), new MicroBatchPlanner(m));

    private static void WaitUntil(Func<bool> condition, string what)
    {
        Assert.True(SpinWait.SpinUntil(condition, Patience), $"timed out waiting until {what}");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 2)]
    [InlineData(64, 3)]
    public async Task Every_planned_micro_batch_is_delivered_exactly_once_with_its_data(int capacity, int decodeTasks)
    {
        StepPlan[] plans = Planner().Plans(0, 40).ToArray();
        var expected = plans.SelectMany(p => p.MicroBatches).ToDictionary(b => b.Id);

        await using var prefetcher = new MicroBatchPrefetcher(Decoder, plans, new PrefetchSettings(capacity, decodeTasks));
        var seen = new HashSet<MicroBatchId>();
        await foreach (MicroBatchData batch in prefetcher.ReadAllAsync())
        {
            Assert.True(seen.Add(batch.Id), $"{batch.Id} delivered twice");
            MicroBatchData direct = Decoder.Decode(expected[batch.Id]);
            Assert.Equal(direct.Labels, batch.Labels);
            Assert.Equal(direct.Inputs, batch.Inputs);
        }

        Assert.Equal(expected.Keys.ToHashSet(), seen);
    }

    [Fact]
    public async Task The_channel_never_holds_more_than_its_capacity_and_decoders_wait_for_a_slow_reader()
    {
        const int capacity = 4, decodeTasks = 2;
        var counting = new CountingDecoder(Decoder);
        await using var prefetcher = new MicroBatchPrefetcher(counting, Planner().Plans(0, 1000), new PrefetchSettings(capacity, decodeTasks));

        // Nobody reads: the channel fills, and each decode task holds one decoded micro-batch it cannot write.
        WaitUntil(() => counting.Calls == capacity + decodeTasks && prefetcher.Buffered == capacity, "the pipeline is full");
        await Task.Delay(200);   // proving a negative needs a little time: nothing more may be decoded
        Assert.Equal(capacity + decodeTasks, counting.Calls);
        Assert.Equal(capacity, prefetcher.Buffered);

        // Reading frees room one micro-batch at a time; the bound holds throughout.
        for (int i = 0; i < 200; i++)
        {
            Assert.NotNull(await prefetcher.ReadAsync());
            Assert.InRange(prefetcher.Buffered, 0, capacity);
            Assert.InRange(counting.Calls - (i + 1), 0, capacity + decodeTasks);
        }
    }

    [Fact]
    public async Task Decoding_of_the_next_step_overlaps_consumption_of_the_current_one()
    {
        // Steps of exactly two micro-batches each (q = 1 over 32 examples, m = 16).
        var counting = new CountingDecoder(Decoder);
        var planner = new StepPlanner(new PoissonSampler(32, 1.0, SamplerSeed.FromUInt64(1)), new MicroBatchPlanner(16));
        await using var prefetcher = new MicroBatchPrefetcher(counting, planner.Plans(0, 10), new PrefetchSettings(capacity: 4, decodeTasks: 1));

        MicroBatchData first = (await prefetcher.ReadAsync())!;
        Assert.Equal(new MicroBatchId(0, 0), first.Id);

        // While step 0's second micro-batch is still unread, step 1 is decoded.
        WaitUntil(() => counting.Calls >= 4, "step 1 is decoded");
    }

    [Fact]
    public async Task A_decode_error_reaches_the_reader_naming_the_file_after_the_good_micro_batches()
    {
        StepPlan[] plans = Planner().Plans(0, 10).ToArray();
        MicroBatchId bad = plans[3].MicroBatches[1].Id;
        int goodBefore = plans.Take(3).Sum(p => p.MicroBatchCount) + 1;
        var failing = new CountingDecoder(Decoder, bad,
            new DatasetFormatException("/data/train-images-idx3-ubyte.gz", "truncated payload: header dimensions [60000, 28, 28] need 47040000 bytes"));

        await using var prefetcher = new MicroBatchPrefetcher(failing, plans, new PrefetchSettings(capacity: 64, decodeTasks: 1));
        var delivered = new List<MicroBatchId>();
        var e = await Assert.ThrowsAsync<MicroBatchDecodeException>(async () =>
        {
            await foreach (MicroBatchData batch in prefetcher.ReadAllAsync()) delivered.Add(batch.Id);
        });

        Assert.Equal(bad, e.Id);
        Assert.Contains("/data/train-images-idx3-ubyte.gz", e.Message);
        Assert.Contains(bad.ToString(), e.Message);
        Assert.IsType<DatasetFormatException>(e.InnerException);
        Assert.Equal(goodBefore, delivered.Count);   // one decode task: everything planned before it arrived
        await Assert.ThrowsAsync<MicroBatchDecodeException>(async () => await prefetcher.ReadAsync());   // and it stays failed
    }

    [Fact]
    public async Task A_failing_plan_sequence_reaches_the_reader()
    {
        static IEnumerable<StepPlan> Broken()
        {
            yield return new MicroBatchPlanner(4).Plan(0, [1, 2, 3]);
            throw new InvalidOperationException("sampler broke at step 1");
        }

        await using var prefetcher = new MicroBatchPrefetcher(Decoder, Broken(), new PrefetchSettings());
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => { await foreach (var _ in prefetcher.ReadAllAsync()) { } });
        Assert.Contains("step 1", e.Message);
    }

    [Fact]
    public async Task Cancelling_stops_an_endless_prefetch_and_readers_see_cancellation()
    {
        using var cancel = new CancellationTokenSource();
        var counting = new CountingDecoder(Decoder);
        var prefetcher = new MicroBatchPrefetcher(counting, Planner().Plans(0, long.MaxValue), new PrefetchSettings(4, 2), cancel.Token);
        Assert.NotNull(await prefetcher.ReadAsync());

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => { while (await prefetcher.ReadAsync() is not null) { } });
        Task dispose = prefetcher.DisposeAsync().AsTask();
        Assert.Same(dispose, await Task.WhenAny(dispose, Task.Delay(Patience)));
        int calls = counting.Calls;
        await Task.Delay(100);
        Assert.Equal(calls, counting.Calls);
    }

    [Fact]
    public async Task Disposing_while_decoders_wait_on_a_full_channel_returns_promptly()
    {
        var prefetcher = new MicroBatchPrefetcher(Decoder, Planner().Plans(0, long.MaxValue), new PrefetchSettings(2, 2));
        WaitUntil(() => prefetcher.Buffered == 2, "the channel is full");

        Task dispose = prefetcher.DisposeAsync().AsTask();

        Assert.Same(dispose, await Task.WhenAny(dispose, Task.Delay(Patience)));
        await dispose;
        await prefetcher.DisposeAsync();   // twice is harmless
    }

    [Fact]
    public async Task Empty_steps_produce_no_micro_batches_and_do_not_stall_the_pipeline()
    {
        var planner = new MicroBatchPlanner(8);
        StepPlan[] plans = [planner.Plan(0, []), planner.Plan(1, [1, 2]), planner.Plan(2, []), planner.Plan(3, [])];

        await using var prefetcher = new MicroBatchPrefetcher(Decoder, plans, new PrefetchSettings(1, 1));
        var ids = new List<MicroBatchId>();
        await foreach (MicroBatchData batch in prefetcher.ReadAllAsync()) ids.Add(batch.Id);

        Assert.Equal([new MicroBatchId(1, 0)], ids);
    }
}
