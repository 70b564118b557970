namespace Veil.Ledger.Store;

/// <summary>The ledger cannot be used as it is (unreadable, not a Veil ledger, bad chain). The message names the file and the fix.</summary>
public sealed class LedgerException(string message, Exception? inner = null) : Exception(message, inner);
