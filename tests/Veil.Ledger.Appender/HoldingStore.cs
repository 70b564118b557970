using Veil.Ledger.Scopes;
using Veil.Ledger.Store;

/// <summary>Sleeps inside the admission check (inside the store's append transaction) to widen races.</summary>
internal sealed class HoldingStore(ILedgerStore inner, int holdMs) : ILedgerStore
{
    public string Location => inner.Location;

    public LedgerRecord Append(PendingEvent pending, Func<LedgerHistory, string?>? admit = null) =>
        inner.Append(pending, admit is null ? null : history =>
        {
            Thread.Sleep(holdMs);
            return admit(history);
        });

    public IReadOnlyList<LedgerRecord> ReadAll() => inner.ReadAll();

    public IReadOnlyList<LedgerRecord> ReadAfter(long afterSequence) => inner.ReadAfter(afterSequence);

    public IReadOnlyList<LedgerRecord> ReadDataset(string datasetFingerprint) => inner.ReadDataset(datasetFingerprint);

    public IReadOnlyList<LedgerRecord> ReadDataset(string datasetFingerprint, long afterSequence) => inner.ReadDataset(datasetFingerprint, afterSequence);

    public void PutScope(DataScope scope) => inner.PutScope(scope);

    public DataScope? ReadScope(string id) => inner.ReadScope(id);

    public IReadOnlyList<StoredScope> ReadScopeIds() => inner.ReadScopeIds();

    public string BindIdentityKey(string checkValue) => inner.BindIdentityKey(checkValue);

    public string BindAccountant(string name) => inner.BindAccountant(name);

    public string? BoundAccountant() => inner.BoundAccountant();

    public LedgerVerification Verify() => inner.Verify();

    public void Dispose() { } // the opened store is disposed by its own using
}
