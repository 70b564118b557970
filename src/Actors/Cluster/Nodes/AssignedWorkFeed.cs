using System.Threading.Channels;
using Veil.Actors.Pipeline;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Prefetch;

namespace Veil.Actors.Cluster.Nodes;

/// <summary>
/// A worker node's <see cref="IWorkFeed"/>: in place of the local sampler's plans, the micro-batches the coordinator
/// assigned to this node, decoded off the actor threads (several at once) into a bounded channel, as the one-node
/// prefetcher does. The node's pipeline runs each assignment as one round; its micro-batches come out relabelled
/// (round, 0 … n−1), so the node's loader and accumulator see rounds as steps and need nothing cluster-specific.
/// A round below <see cref="DropBelow"/> is abandoned: what of it is left to decode is skipped, what is decoded is
/// not delivered. A decode failure ends the feed with a <see cref="MicroBatchDecodeException"/> naming the
/// coordinator's micro-batch.
/// </summary>
public sealed class AssignedWorkFeed : IWorkFeed
{
    private sealed record Item(long Round, int Index, MicroBatchSpec Spec, IMicroBatchDecoder Decoder);

    private readonly Channel<Item> _work = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Channel<MicroBatchData> _output;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _decoding;
    private long _floor;
    private int _disposed;

    public AssignedWorkFeed(int decodeTasks, int capacity)
    {
        _output = Channel.CreateBounded<MicroBatchData>(new BoundedChannelOptions(Math.Max(1, capacity)) { FullMode = BoundedChannelFullMode.Wait });
        var stop = _stop.Token;
        _decoding = Task.WhenAll(Enumerable.Range(0, Math.Max(1, decodeTasks)).Select(_ => Task.Run(() => DecodeAsync(stop))));
    }

    /// <summary>
    /// Queues the shards of one assignment, to be decoded with <paramref name="decoder"/> as micro-batches 0 … n−1 of
    /// <paramref name="round"/>.
    /// </summary>
    public void Add(long round, IReadOnlyList<MicroBatchSpec> shards, IMicroBatchDecoder decoder)
    {
        for (var i = 0; i < shards.Count; i++) _work.Writer.TryWrite(new Item(round, i, shards[i], decoder));
    }

    /// <summary>Abandons every round below <paramref name="round"/>.</summary>
    public void DropBelow(long round)
    {
        long seen;
        while ((seen = Interlocked.Read(ref _floor)) < round && Interlocked.CompareExchange(ref _floor, round, seen) != seen) { }
    }

    public async ValueTask<MicroBatchData?> ReadAsync(CancellationToken cancellationToken)
    {
        while (await _output.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            while (_output.Reader.TryRead(out var batch))
                if (batch.Step >= Interlocked.Read(ref _floor)) return batch;
        return null;
    }

    private async Task DecodeAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var item in _work.Reader.ReadAllAsync(stop).ConfigureAwait(false))
            {
                if (item.Round < Interlocked.Read(ref _floor)) continue;
                MicroBatchData batch;
                try
                {
                    batch = item.Decoder.Decode(item.Spec) with { Step = item.Round, Index = item.Index };
                }
                catch (Exception e)
                {
                    _output.Writer.TryComplete(new MicroBatchDecodeException(item.Spec.Id, item.Decoder.Source, e));
                    _stop.Cancel();
                    return;
                }
                await _output.Writer.WriteAsync(batch, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        catch (ChannelClosedException) { } // another decode task failed and closed the output
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _work.Writer.TryComplete();
        _stop.Cancel();
        await _decoding.ConfigureAwait(false);
        _output.Writer.TryComplete();
        _stop.Dispose();
    }
}
