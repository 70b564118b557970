using Veil.Ledger.Scopes;
using Veil.Ledger.Store;

namespace Veil.Ledger.Tests.Budget;

/// <summary>Counts the records a caller reads through the store, in and out of appends.</summary>
internal sealed class CountingStore(ILedgerStore inner) : ILedgerStore
{
    public long RecordsRead { get; private set; }

    public string Location => inner.Location;

    public LedgerRecord Append(PendingEvent pending, Func<LedgerHistory, string?>? admit = null) =>
        inner.Append(pending, admit is null ? null : history => admit(new LedgerHistory(history.HeadSequence, after => Counted(history.RecordsAfter(after)), history.Scope)));

    public IReadOnlyList<LedgerRecord> ReadAll() => Counted(inner.ReadAll());

    public IReadOnlyList<LedgerRecord> ReadAfter(long afterSequence) => Counted(inner.ReadAfter(afterSequence));

    public IReadOnlyList<LedgerRecord> ReadDataset(string datasetFingerprint) => Counted(inner.ReadDataset(datasetFingerprint));

    public IReadOnlyList<LedgerRecord> ReadDataset(string datasetFingerprint, long afterSequence) => Counted(inner.ReadDataset(datasetFingerprint, afterSequence));

    public void PutScope(DataScope scope) => inner.PutScope(scope);

    public DataScope? ReadScope(string id) => inner.ReadScope(id);

    public IReadOnlyList<StoredScope> ReadScopeIds() => inner.ReadScopeIds();

    public string BindIdentityKey(string checkValue) => inner.BindIdentityKey(checkValue);

    public string BindAccountant(string name) => inner.BindAccountant(name);

    public string? BoundAccountant() => inner.BoundAccountant();

    public LedgerVerification Verify() => inner.Verify();

    public void Dispose() => inner.Dispose();

    private IReadOnlyList<LedgerRecord> Counted(IReadOnlyList<LedgerRecord> records)
    {
        RecordsRead += records.Count;
        return records;
    }
}
