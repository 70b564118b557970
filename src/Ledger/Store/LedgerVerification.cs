namespace Veil.Ledger.Store;

/// <summary>Result of walking the chain: valid, or the first bad sequence number and what is
/// wrong with it (no sequence number when the fault is a stored scope no record names).</summary>
public sealed record LedgerVerification(bool Valid, long Records, long? FirstBadSequence, string? Reason)
{
    public static LedgerVerification Ok(long records) => new(true, records, null, null);

    public static LedgerVerification Bad(long records, long? sequence, string reason) => new(false, records, sequence, reason);
}
