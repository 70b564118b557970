namespace Veil.Ledger.Store;

/// <summary>The admission check refused the event (e.g. over budget); nothing was written.</summary>
public sealed class LedgerAppendRefusedException(string reason) : Exception(reason)
{
    public string Reason { get; } = reason;
}
