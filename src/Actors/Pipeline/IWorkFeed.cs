namespace Veil.Actors.Pipeline;

/// <summary>
/// Decodes scheduled micro-batches off the actor threads (a bounded channel inside), handing them out
/// in any order. Scheduling ahead lets decoding of step s+1 overlap the gradients of step s.
/// </summary>
public interface IWorkFeed : IAsyncDisposable
{
    void Schedule(StepPlan plan);

    ValueTask<GradientWork> ReadAsync(CancellationToken cancellationToken);
}
