using Npgsql;
using Veil.Ledger.Store;
using Veil.TestSupport.Postgres;
using Xunit;

namespace Veil.Ledger.Tests.Store;

/// <summary>The ledger contract, held against the PostgreSQL store on a real server (a fresh database per test).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLedgerStoreContractTests(PostgresServer server) : LedgerStoreContract
{
    private readonly string _connectionString = server.CreateDatabase();
    private readonly TemporaryLedger _folder = new();

    protected override ILedgerStore Open() => PostgresLedgerStore.Open(_connectionString);

    protected override void Damage(string sql) => server.Sql(new NpgsqlConnectionStringBuilder(_connectionString).Database!, sql);

    protected override IReadOnlyList<string> AppenderLedgerArguments => ["--postgres", _connectionString];

    protected override string Folder => _folder.Folder;

    public override void Dispose()
    {
        _folder.Dispose();
        base.Dispose();
    }
}
