using Veil.Ledger.Events;

namespace Veil.Ledger.Store;

/// <summary>One committed privacy event, chained to the one before it by hash.</summary>
public sealed record LedgerRecord(
    long Sequence, string ReleaseId, string DatasetFingerprint, string RunId, long Step, string EventJson,
    long TimestampUnixMs, string PreviousHash, string Hash)
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    public DpEvent Event => DpEventJson.Deserialize(EventJson);

    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(TimestampUnixMs);
}
