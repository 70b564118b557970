using Veil.Actors.Pipeline;
using Veil.Actors.PrivateRuns;
using Veil.Ledger.Budget;
using Veil.Ledger.Plan;
using Veil.Ledger.Store;

namespace Veil.Actors.Training;

/// <summary>
/// Records each step's Poisson-subsampled Gaussian event in the ledger under the run's data scope, within the
/// budget of the worst example in scope (an insecure run's events marked as such).
/// </summary>
public sealed class LedgerReleaseRecorder(PrivateRun run, DpPlan plan) : IReleaseRecorder
{
    public ReleaseDecision Record(long step) =>
        run.Guard.TrySpend(PendingEvent.NewRelease(run.ScopeKey, run.Run.Id, step, run.AsRecorded(plan.StepEvent))) switch
        {
            SpendOutcome.Recorded r => Published(new ReleaseDecision.Recorded(r.Record.Sequence, r.EpsilonSpent)),
            SpendOutcome.Refused r => new ReleaseDecision.Refused(r.Reason),
            var other => throw new InvalidOperationException($"unknown spend outcome {other}"),
        };

    private ReleaseDecision.Recorded Published(ReleaseDecision.Recorded recorded)
    {
        Telemetry.VeilTelemetry.PrivacySpent(recorded.EpsilonSpent, plan.Delta);
        return recorded;
    }
}
