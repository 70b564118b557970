using System.Threading.Channels;
using Veil.DataLoading.Batching;

namespace Veil.Actors.Pipeline;

/// <summary>Micro-batches decoded beforehand and handed out in order: the baseline that live decoding is measured against, and a feed for tests.</summary>
public sealed class PreloadedWorkFeed : IWorkFeed
{
    private readonly Channel<MicroBatchData> _channel = Channel.CreateUnbounded<MicroBatchData>();

    public PreloadedWorkFeed(IEnumerable<MicroBatchData> batches)
    {
        foreach (var b in batches) _channel.Writer.TryWrite(b);
        _channel.Writer.TryComplete();
    }

    public async ValueTask<MicroBatchData?> ReadAsync(CancellationToken cancellationToken) =>
        await _channel.Reader.WaitToReadAsync(cancellationToken) && _channel.Reader.TryRead(out var item) ? item : null;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
