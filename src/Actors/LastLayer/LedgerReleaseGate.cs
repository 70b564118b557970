using System.Security.Cryptography;
using System.Text;
using Veil.Actors.PrivateRuns;
using Veil.Actors.Training;
using Veil.Compute.LastLayer;
using Veil.Ledger.Budget;
using Veil.Ledger.Events;
using Veil.Ledger.Store;

namespace Veil.Actors.LastLayer;

/// <summary>
/// The ledger side of <see cref="IReleaseGate"/>: each release is appended through the budget guard (the
/// dataset's total ε, all runs, checked inside the append transaction) and the mechanism continues only once
/// it is durable. The release id is derived from (run, release name): the noise of a release is keyed by the
/// same name and the run's seed, so appending it again (a retry after a transient ledger error) is the same
/// release and is recorded once. Each release gets the next step number of the run.
/// </summary>
public sealed class LedgerReleaseGate(BudgetGuard guard, string scopeKey, string runId, Action<string, double>? onRecorded = null,
    Func<DpEvent, DpEvent>? asRecorded = null) : IReleaseGate
{
    /// <summary>The gate of a private run: its scope, and its events as the ledger must hold them (insecure runs marked).</summary>
    public LedgerReleaseGate(PrivateRun run, Action<string, double>? onRecorded = null)
        : this(run.Guard, run.ScopeKey, run.Run.Id, onRecorded, run.AsRecorded)
    {
    }

    private readonly string _runId = runId;
    private const int Attempts = 3;
    private long _step;

    public long Releases => _step;

    public void Commit(string releaseName, DpEvent dpEvent)
    {
        var pending = new PendingEvent(scopeKey, _runId, _step, asRecorded?.Invoke(dpEvent) ?? dpEvent, ReleaseId(_runId, releaseName));
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                switch (guard.TrySpend(pending))
                {
                    case SpendOutcome.Recorded r:
                        _step++;
                        onRecorded?.Invoke(releaseName, r.EpsilonSpent);
                        return;
                    case SpendOutcome.Refused r:
                        throw new TrainingFailedException($"release {releaseName} of run {_runId} was refused, nothing was released: {r.Reason}");
                    case var other:
                        throw new InvalidOperationException($"unknown spend outcome {other}");
                }
            }
            catch (LedgerException) when (attempt < Attempts)
            {
                Thread.Sleep(100 * attempt); // a locked or busy ledger: the same release id makes the retry safe
            }
        }
    }

    public static string ReleaseId(string runId, string releaseName) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"veil.last-layer.release.v1\n{runId}\n{releaseName}")))[..32];
}
