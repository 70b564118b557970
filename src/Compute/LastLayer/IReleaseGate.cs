using Veil.Ledger.Events;

namespace Veil.Compute.LastLayer;

/// <summary>
/// Ledger before release: a mechanism calls <see cref="Commit"/> with a noisy statistic's DP event before it
/// draws that statistic's noise or uses it. It returns only once the event is durably recorded within the
/// dataset's budget, and throws otherwise, so a statistic whose release is not in the ledger is never used.
/// <paramref name="releaseName"/> is unique within a run (e.g. "covariance", "gradient[2]", "sgd[17]").
/// </summary>
public interface IReleaseGate
{
    void Commit(string releaseName, DpEvent dpEvent);
}
