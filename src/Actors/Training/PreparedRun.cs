using Veil.Actors.Pipeline;

namespace Veil.Actors.Training;

/// <summary>
/// A run with everything opened (data, ledger, checkpoints, telemetry) and its pipeline wired, not yet
/// started: the single-node job runs it in an actor system of its own, the cluster coordinator runs it
/// as a child of its singleton. <see cref="Complete"/> turns the coordinator's answer into the result
/// (evaluation, runs/&lt;id&gt;/); Dispose closes what was opened.
/// </summary>
public sealed class PreparedRun(string runId, string runPath, string ledgerPath, string fingerprint, long firstStep,
    PipelineParts parts, Action<StepReport> onStep, Func<object, TrainingResult> complete, IReadOnlyList<IDisposable> opened) : IDisposable
{
    public string RunId { get; } = runId;

    public string RunPath { get; } = runPath;

    public string LedgerPath { get; } = ledgerPath;

    public string Fingerprint { get; } = fingerprint;

    public long FirstStep { get; } = firstStep;

    public PipelineParts Parts { get; } = parts;

    public Action<StepReport> OnStep { get; } = onStep;

    /// <summary>From <see cref="CoordinatorActor.Finished"/> or <see cref="CoordinatorActor.Failed"/> to the result (or a TrainingFailedException).</summary>
    public TrainingResult Complete(object outcome) => complete(outcome);

    public void Dispose()
    {
        for (var i = opened.Count - 1; i >= 0; i--) opened[i].Dispose();
    }
}
