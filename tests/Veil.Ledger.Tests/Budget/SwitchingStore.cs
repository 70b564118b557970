using Veil.Ledger.Store;

namespace Veil.Ledger.Tests.Budget;

/// <summary>A store whose ledger can be swapped under its user (a ledger file restored from a backup).</summary>
internal sealed class SwitchingStore(ILedgerStore inner) : ILedgerStore
{
    public ILedgerStore Inner { get; set; } = inner;

    public string Location => Inner.Location;

    public LedgerRecord Append(PendingEvent pending, Func<DatasetHistory, string?>? admit = null) => Inner.Append(pending, admit);

    public IReadOnlyList<LedgerRecord> ReadAll() => Inner.ReadAll();

    public IReadOnlyList<LedgerRecord> ReadDataset(string datasetFingerprint) => Inner.ReadDataset(datasetFingerprint);

    public IReadOnlyList<LedgerRecord> ReadDataset(string datasetFingerprint, long afterSequence) => Inner.ReadDataset(datasetFingerprint, afterSequence);

    public LedgerVerification Verify() => Inner.Verify();

    public void Dispose() { } // the stores are disposed by their owners
}
