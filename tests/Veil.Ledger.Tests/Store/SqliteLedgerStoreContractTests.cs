using Veil.Ledger.Store;

namespace Veil.Ledger.Tests.Store;

/// <summary>The ledger contract, held against the embedded SQLite store.</summary>
public sealed class SqliteLedgerStoreContractTests : LedgerStoreContract
{
    private readonly TemporaryLedger _ledger = new();

    protected override ILedgerStore Open() => _ledger.Open();

    protected override void Damage(string sql) => _ledger.Sql(sql);

    protected override IReadOnlyList<string> AppenderLedgerArguments => [_ledger.Path];

    protected override string Folder => _ledger.Folder;

    public override void Dispose()
    {
        _ledger.Dispose();
        base.Dispose();
    }
}
