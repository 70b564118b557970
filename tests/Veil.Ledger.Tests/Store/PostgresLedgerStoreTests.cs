using System.Net;
using System.Net.Sockets;
using Npgsql;
using Veil.Ledger.Events;
using Veil.Ledger.Store;
using Veil.TestSupport.Postgres;
using Xunit;

namespace Veil.Ledger.Tests.Store;

/// <summary>What only the PostgreSQL store does: servers, credentials, databases; the shared behaviour is in <see cref="LedgerStoreContract"/>.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLedgerStoreTests(PostgresServer server)
{
    private static readonly DpEvent Step = new PoissonSampled(0.01, new GaussianEvent(1.1));

    private static string DatabaseOf(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database!;

    [Fact]
    public void An_unreachable_server_is_named_with_host_port_and_the_key_to_fix()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var e = Assert.Throws<LedgerException>(() => PostgresLedgerStore.Open($"Host=127.0.0.1;Port={closedPort};Database=veil;Username=veil;Password=s3cret-pw;Timeout=5"));
        Assert.Contains($"127.0.0.1:{closedPort}", e.Message);
        Assert.Contains("cannot reach", e.Message);
        Assert.Contains("veil.privacy.ledger.connection-string", e.Message);
        Assert.DoesNotContain("s3cret-pw", e.Message);
    }

    [Fact]
    public void A_wrong_password_is_an_authentication_error_that_does_not_print_the_password()
    {
        var wrong = new NpgsqlConnectionStringBuilder(server.CreateDatabase()) { Password = "not-the-password" }.ConnectionString;
        var e = Assert.Throws<LedgerException>(() => PostgresLedgerStore.Open(wrong));
        Assert.Contains($"refused user '{PostgresServer.SuperUser}'", e.Message);
        Assert.Contains("Password", e.Message);
        Assert.DoesNotContain("not-the-password", e.Message);
    }

    [Fact]
    public void A_missing_database_is_named_with_the_fix()
    {
        var missing = server.ConnectionString("no_such_ledger_db");
        var e = Assert.Throws<LedgerException>(() => PostgresLedgerStore.Open(missing));
        Assert.Contains("'no_such_ledger_db' does not exist", e.Message);
        Assert.Contains("createdb", e.Message);
    }

    [Fact]
    public void A_database_holding_other_tables_is_refused_and_left_untouched()
    {
        var cs = server.CreateDatabase();
        server.Sql(DatabaseOf(cs), "CREATE TABLE customers (id INTEGER)");
        var e = Assert.Throws<LedgerException>(() => PostgresLedgerStore.Open(cs));
        Assert.Contains("holds other tables (customers)", e.Message);
        Assert.Contains("no Veil ledger", e.Message);
        using var c = new NpgsqlConnection(cs);
        c.Open();
        using var cmd = new NpgsqlCommand("SELECT to_regclass('veil_meta') IS NULL", c);
        Assert.True((bool)cmd.ExecuteScalar()!);
    }

    [Fact]
    public void A_foreign_veil_meta_table_is_refused()
    {
        var cs = server.CreateDatabase();
        server.Sql(DatabaseOf(cs), "CREATE TABLE veil_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO veil_meta VALUES ('kind', 'something-else')");
        var e = Assert.Throws<LedgerException>(() => PostgresLedgerStore.Open(cs));
        Assert.Contains("not a Veil ledger's (kind 'something-else')", e.Message);
    }

    [Fact]
    public void A_ledger_of_a_newer_schema_version_is_refused_with_upgrade_advice()
    {
        var cs = server.CreateDatabase();
        using (PostgresLedgerStore.Open(cs)) { }
        server.Sql(DatabaseOf(cs), "UPDATE veil_meta SET value = '99' WHERE key = 'schema_version'");
        var e = Assert.Throws<LedgerException>(() => PostgresLedgerStore.Open(cs));
        Assert.Contains("schema version 99", e.Message);
        Assert.Contains("upgrade Veil", e.Message);
    }

    [Fact]
    public void Opening_for_reading_a_database_without_a_ledger_says_so_and_creates_nothing()
    {
        var cs = server.CreateDatabase();
        var e = Assert.Throws<LedgerException>(() => PostgresLedgerStore.Open(cs, createIfMissing: false));
        Assert.Contains("holds no Veil ledger", e.Message);
        Assert.Throws<LedgerException>(() => PostgresLedgerStore.Open(cs, createIfMissing: false));
    }

    [Fact]
    public void Several_processes_creating_the_schema_at_once_make_one_ledger()
    {
        var cs = server.CreateDatabase();
        Parallel.For(0, 4, i =>
        {
            using var store = PostgresLedgerStore.Open(cs);
            store.Append(PendingEvent.NewRelease("ds", $"run-{i}", 0, Step));
        });
        using var opened = PostgresLedgerStore.Open(cs);
        Assert.Equal(LedgerVerification.Ok(4), opened.Verify());
    }

    [Fact]
    public void The_location_and_masked_connection_string_never_show_the_password()
    {
        var cs = server.CreateDatabase();
        using var store = PostgresLedgerStore.Open(cs);
        Assert.Equal($"postgres://{PostgresServer.SuperUser}@127.0.0.1:{server.Port}/{DatabaseOf(cs)}", store.Location);
        var masked = PostgresTarget.Mask(cs);
        Assert.DoesNotContain(PostgresServer.Password, masked);
        Assert.Contains("Password=***", masked);
        Assert.Contains($"Port={server.Port}", masked);
    }

    [Fact]
    public void The_same_record_hashes_identically_in_both_stores()
    {
        // Same fields, same RecordHash: a PostgreSQL record re-hashes to its stored hash, as SQLite's do.
        var cs = server.CreateDatabase();
        using var store = PostgresLedgerStore.Open(cs);
        var r = store.Append(PendingEvent.NewRelease("ds", "run", 3, Step));
        Assert.Equal(RecordHash.Of(r.Sequence, r.ReleaseId, r.DatasetFingerprint, r.RunId, r.Step, DpEventJson.Serialize(Step), r.TimestampUnixMs, LedgerRecord.GenesisHash), r.Hash);
        Assert.Equal(r, store.ReadAll().Single());
    }
}
