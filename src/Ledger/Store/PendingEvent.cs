using Veil.Ledger.Events;

namespace Veil.Ledger.Store;

/// <summary>
/// A noisy release about to be recorded. ReleaseId identifies this one release: retrying its append
/// (after a timeout, say) never records it twice, while a step redone after a crash is a new release
/// with a new id, and counts again, as it must.
/// </summary>
public sealed record PendingEvent(string DatasetFingerprint, string RunId, long Step, DpEvent Event, string ReleaseId)
{
    public static PendingEvent NewRelease(string datasetFingerprint, string runId, long step, DpEvent dpEvent) =>
        new(datasetFingerprint, runId, step, dpEvent, Guid.NewGuid().ToString("N"));
}
