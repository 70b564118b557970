using Veil.DataLoading.Batching;

namespace Veil.Actors.Pipeline;

/// <summary>
/// Decoded micro-batches of the planned steps, in (roughly) plan order, from a bounded channel filled
/// off the actor threads: decoding of step s+1 overlaps the gradients of step s. Null marks the end.
/// </summary>
public interface IWorkFeed : IAsyncDisposable
{
    ValueTask<MicroBatchData?> ReadAsync(CancellationToken cancellationToken);
}
