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
/// coordinator's micro-batch. Micro-batches the coordinator expects to assign next (<see cref="Prefetch"/>) are decoded
/// ahead, while the current round computes, as the one-node prefetcher decodes the next step; an assignment that
/// names one takes it decoded.
/// </summary>
public sealed class AssignedWorkFeed : IWorkFeed
{
    private sealed record Item(long Round, int Index, MicroBatchSpec Spec, IMicroBatchDecoder Decoder, TaskCompletionSource<MicroBatchData>? Ahead = null);

    private const long AheadRound = -1;

    private sealed record Hint(MicroBatchSpec Spec, TaskCompletionSource<MicroBatchData> Decoded);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<MicroBatchId, Hint> _ahead = new();

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
        var step = shards.Count > 0 ? shards.Min(s => s.Id.Step) : long.MinValue;
        foreach (var old in _ahead.Keys.Where(id => id.Step < step)) _ahead.TryRemove(old, out _);
        for (var i = 0; i < shards.Count; i++) _work.Writer.TryWrite(new Item(round, i, shards[i], decoder));
    }

    /// <summary>Decodes <paramref name="shards"/> ahead of their assignment (each at most once); they wait for it, not for a round.</summary>
    public void Prefetch(IReadOnlyList<MicroBatchSpec> shards, IMicroBatchDecoder decoder)
    {
        foreach (var spec in shards)
        {
            var ahead = new TaskCompletionSource<MicroBatchData>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_ahead.TryAdd(spec.Id, new Hint(spec, ahead))) _work.Writer.TryWrite(new Item(AheadRound, 0, spec, decoder, ahead));
        }
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
                if (item.Ahead is { } ahead)
                {
                    try
                    {
                        ahead.TrySetResult(item.Decoder.Decode(item.Spec));
                    }
                    catch (Exception e)
                    {
                        ahead.TrySetException(e); // decoded again when assigned, where the failure ends the feed
                    }
                    continue;
                }
                if (item.Round < Interlocked.Read(ref _floor)) continue;
                MicroBatchData batch;
                try
                {
                    // Taken only if it holds the very examples assigned: a hint of a coordinator that has since died may have named others.
                    var decoded = _ahead.TryRemove(item.Spec.Id, out var early) && early.Spec.Indices.AsSpan().SequenceEqual(item.Spec.Indices) &&
                        await DecodedAhead(early.Decoded).ConfigureAwait(false) is { } ready
                            ? ready
                            : item.Decoder.Decode(item.Spec);
                    batch = decoded with { Step = item.Round, Index = item.Index };
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

    private static async Task<MicroBatchData?> DecodedAhead(TaskCompletionSource<MicroBatchData> ahead)
    {
        try
        {
            return await ahead.Task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            return null;
        }
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
