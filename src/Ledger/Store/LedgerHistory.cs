using Veil.Ledger.Scopes;

namespace Veil.Ledger.Store;

/// <summary>
/// What an admission check sees inside an append's exclusive transaction: the ledger's head, every
/// committed record (of any dataset, by every process) past any sequence number, and the stored scopes.
/// A caller that already holds a summary of the records up to some sequence reads only the ones after it,
/// so a check costs O(new records), not O(history). A scope is stored (and committed) before any record
/// names it, so every scope a visible record names can be read here.
/// </summary>
public sealed class LedgerHistory(long headSequence, Func<long, IReadOnlyList<LedgerRecord>> readAfter, Func<string, DataScope?> readScope)
{
    /// <summary>The last committed sequence number of the whole ledger; the record being appended gets the next one.</summary>
    public long HeadSequence => headSequence;

    /// <summary>The committed records with a sequence number above <paramref name="sequence"/>, in order (0: all of them).</summary>
    public IReadOnlyList<LedgerRecord> RecordsAfter(long sequence) => readAfter(sequence);

    /// <summary>The stored scope with this id, or null if none is stored.</summary>
    public DataScope? Scope(string id) => readScope(id);
}
