using Veil.Actors.Cluster.Nodes;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Prefetch;
using Xunit;

namespace Veil.Actors.Tests.Cluster;

/// <summary>The feed a node's loader reads: the coordinator's shards, relabelled as rounds of the node's pipeline.</summary>
public class AssignedWorkFeedTests
{
    private sealed class IndexDecoder(int failOn = -1) : IMicroBatchDecoder
    {
        public string Source => "indices";

        public MicroBatchData Decode(MicroBatchSpec spec) =>
            spec.Indices.Contains(failOn)
                ? throw new InvalidDataException($"example {failOn} is corrupt")
                : new(spec.Id.Step, spec.Id.Index, spec.Count, spec.Indices.Select(i => (float)i).ToArray(), spec.Indices.Select(i => (long)i).ToArray());
    }

    private static MicroBatchSpec[] Shards(long step, params int[][] micro) =>
        micro.Select((indices, i) => new MicroBatchSpec(new MicroBatchId(step, i + 10), indices)).ToArray();

    private static async Task<List<MicroBatchData>> Read(AssignedWorkFeed feed, int count)
    {
        var read = new List<MicroBatchData>();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (read.Count < count) read.Add((await feed.ReadAsync(limit.Token))!);
        return read;
    }

    [Fact]
    public async Task An_assignments_shards_come_out_as_micro_batches_zero_to_n_of_its_round()
    {
        await using var feed = new AssignedWorkFeed(decodeTasks: 2, capacity: 4);
        feed.Add(7, Shards(3, [1, 2], [3], [4, 5, 6]), new IndexDecoder());
        var batches = (await Read(feed, 3)).OrderBy(b => b.Index).ToList();
        Assert.Equal([(7L, 0, 2), (7L, 1, 1), (7L, 2, 3)], batches.Select(b => (b.Step, b.Index, b.Count)));
        Assert.Equal(new float[] { 4, 5, 6 }, batches[2].Inputs);
    }

    [Fact]
    public async Task An_abandoned_rounds_micro_batches_are_not_delivered()
    {
        await using var feed = new AssignedWorkFeed(decodeTasks: 1, capacity: 8);
        feed.Add(1, Shards(0, [1], [2], [3]), new IndexDecoder());
        feed.DropBelow(2);
        feed.Add(2, Shards(1, [4]), new IndexDecoder());
        var only = Assert.Single(await Read(feed, 1));
        Assert.Equal((2L, 0), (only.Step, only.Index));
    }

    [Fact]
    public async Task A_shard_that_cannot_be_decoded_ends_the_feed_naming_the_coordinators_micro_batch()
    {
        await using var feed = new AssignedWorkFeed(decodeTasks: 1, capacity: 4);
        feed.Add(1, Shards(5, [1], [2, 3]), new IndexDecoder(failOn: 3));
        var error = await Assert.ThrowsAsync<MicroBatchDecodeException>(() => Read(feed, 2));
        Assert.Equal(new MicroBatchId(5, 11), error.Id);
    }
}
