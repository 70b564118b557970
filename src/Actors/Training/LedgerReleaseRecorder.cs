using Veil.Actors.Pipeline;
using Veil.Ledger.Budget;
using Veil.Ledger.Plan;
using Veil.Ledger.Store;

namespace Veil.Actors.Training;

/// <summary>Records each step's Poisson-subsampled Gaussian event in the ledger, within the dataset's budget.</summary>
public sealed class LedgerReleaseRecorder(BudgetGuard guard, DpPlan plan, string runId) : IReleaseRecorder
{
    public ReleaseDecision Record(long step) =>
        guard.TrySpend(PendingEvent.NewRelease(plan.DatasetFingerprint, runId, step, plan.StepEvent)) switch
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
