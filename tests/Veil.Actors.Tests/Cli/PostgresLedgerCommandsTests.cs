using System.Net;
using System.Net.Sockets;
using Npgsql;
using Veil.Ledger.Events;
using Veil.Ledger.Store;
using Veil.TestSupport.Postgres;
using Xunit;

namespace Veil.Actors.Tests.Cli;

/// <summary>`privacy ledger verify|show` against a PostgreSQL ledger on a real throw-away server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLedgerCommandsTests : IDisposable
{
    private static readonly DpEvent Step = new PoissonSampled(0.01, new GaussianEvent(1.0));
    private readonly PostgresServer _server;
    private readonly string _connectionString;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "veil-cli-pg-ledger", Guid.NewGuid().ToString("N"));

    public PostgresLedgerCommandsTests(PostgresServer server)
    {
        _server = server;
        _connectionString = server.CreateDatabase();
        Directory.CreateDirectory(_folder);
        using var store = PostgresLedgerStore.Open(_connectionString);
        for (var i = 0; i < 12; i++) store.Append(PendingEvent.NewRelease("bbbb2222", "run-1", i, Step));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Database => new NpgsqlConnectionStringBuilder(_connectionString).Database!;

    [Fact]
    public void Verify_checks_a_postgres_ledger_named_by_connection_string()
    {
        var run = CliRun.Of("privacy", "ledger", "verify", "--connection-string", _connectionString, "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.True(run.Json.GetProperty("valid").GetBoolean());
        Assert.Equal(12, run.Json.GetProperty("records").GetInt64());
    }

    [Fact]
    public void Verify_reads_the_configured_postgres_ledger_and_names_the_first_bad_record_without_the_password()
    {
        var config = Path.Combine(_folder, "pg.conf");
        File.WriteAllText(config, $"veil.privacy.ledger {{\n  backend = postgres\n  connection-string = \"{_connectionString}\"\n}}\n");
        Assert.Equal(0, CliRun.Of("privacy", "ledger", "verify", "--config", config, "--json").ExitCode);
        _server.Sql(Database, "UPDATE ledger SET step = 99 WHERE seq = 5");
        var run = CliRun.Of("privacy", "ledger", "verify", "--config", config);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("NOT valid at record 5", run.Stdout);
        Assert.Contains($"127.0.0.1:{_server.Port}/{Database}", run.Stdout);
        Assert.DoesNotContain(PostgresServer.Password, run.Stdout + run.Stderr);
    }

    [Fact]
    public void Show_computes_epsilon_from_a_postgres_ledger()
    {
        var run = CliRun.Of("privacy", "ledger", "show", "--connection-string", _connectionString, "--delta", "1e-5", "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(12, run.Json.GetProperty("records").GetInt64());
        Assert.Equal(new Veil.Ledger.Accountants.RdpAccountant().Epsilon([new SelfComposed(Step, 12)], 1e-5).Epsilon, run.Json.GetProperty("epsilon").GetDouble(), 12);
    }

    [Fact]
    public void A_file_and_a_connection_string_together_are_a_usage_error()
    {
        var run = CliRun.Of("privacy", "ledger", "verify", "--ledger", Path.Combine(_folder, "l.sqlite"), "--connection-string", _connectionString);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("not both", run.Stderr);
    }

    [Fact]
    public void An_unreachable_server_exits_2_naming_host_and_port_but_not_the_password()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var run = CliRun.Of("privacy", "ledger", "verify", "--connection-string", $"Host=127.0.0.1;Port={port};Database=veil;Username=veil;Password=hunter2-secret;Timeout=5");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"127.0.0.1:{port}", run.Stderr);
        Assert.DoesNotContain("hunter2-secret", run.Stdout + run.Stderr);
    }
}
