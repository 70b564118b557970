using Veil.Ledger.Scopes;
using Veil.Ledger.Store;

namespace Veil.Ledger.Tests.Budget;

/// <summary>A store whose ledger can be swapped under its user (a ledger file restored from a backup).</summary>
internal sealed class SwitchingStore(ILedgerStore inner) : ILedgerStore
{
    public ILedgerStore Inner { get; set; } = inner;

    public string Location => Inner.Location;

    public LedgerRecord Append(PendingEvent pending, Func<LedgerHistory, string?>? admit = null) => Inner.Append(pending, admit);

    public IReadOnlyList<LedgerRecord> ReadAll() => Inner.ReadAll();

    public IReadOnlyList<LedgerRecord> ReadAfter(long afterSequence) => Inner.ReadAfter(afterSequence);

    public IReadOnlyList<LedgerRecord> ReadDataset(string datasetFingerprint) => Inner.ReadDataset(datasetFingerprint);

    public IReadOnlyList<LedgerRecord> ReadDataset(string datasetFingerprint, long afterSequence) => Inner.ReadDataset(datasetFingerprint, afterSequence);

    public void PutScope(DataScope scope) => Inner.PutScope(scope);

    public DataScope? ReadScope(string id) => Inner.ReadScope(id);

    public IReadOnlyList<StoredScope> ReadScopeIds() => Inner.ReadScopeIds();

    public string BindIdentityKey(string checkValue) => Inner.BindIdentityKey(checkValue);

    public string BindAccountant(string name) => Inner.BindAccountant(name);

    public string? BoundAccountant() => Inner.BoundAccountant();

    public LedgerVerification Verify() => Inner.Verify();

    public void Dispose() { } // the stores are disposed by their owners
}
