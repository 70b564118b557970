using System.Text.Json;
using Microsoft.Data.Sqlite;
using Veil.Ledger.Accountants;
using Veil.Ledger.Events;
using Veil.Ledger.Store;
using Xunit;

namespace Veil.Actors.Tests.Cli;

public class PrivacyLedgerCommandsTests : IDisposable
{
    private static readonly DpEvent Step = new PoissonSampled(0.01, new GaussianEvent(1.0));
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "veil-cli-ledger", Guid.NewGuid().ToString("N"));
    private string LedgerPath => Path.Combine(_folder, "ledger.sqlite");

    public PrivacyLedgerCommandsTests()
    {
        using var store = SqliteLedgerStore.Open(LedgerPath);
        for (var i = 0; i < 30; i++) store.Append(PendingEvent.NewRelease("aaaa1111", "run-1", i, Step));
        for (var i = 0; i < 20; i++) store.Append(PendingEvent.NewRelease("aaaa1111", "run-2", i, Step));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Verify_reports_a_valid_ledger()
    {
        var run = CliRun.Of("privacy", "ledger", "verify", "--ledger", LedgerPath, "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.True(run.Json.GetProperty("valid").GetBoolean());
        Assert.Equal(50, run.Json.GetProperty("records").GetInt64());
        Assert.Equal(JsonValueKind.Null, run.Json.GetProperty("first_bad").ValueKind);
    }

    [Fact]
    public void Verify_names_the_first_bad_record_and_exits_1()
    {
        using (var c = new SqliteConnection($"Data Source={LedgerPath};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "UPDATE ledger SET step = 99 WHERE seq = 17;";
            cmd.ExecuteNonQuery();
        }
        var run = CliRun.Of("privacy", "ledger", "verify", "--ledger", LedgerPath, "--json");
        Assert.Equal(1, run.ExitCode);
        Assert.False(run.Json.GetProperty("valid").GetBoolean());
        Assert.Equal(17, run.Json.GetProperty("first_bad").GetInt64());
        Assert.Contains("tampered", run.Json.GetProperty("reason").GetString());
    }

    [Fact]
    public void Show_computes_epsilon_from_the_ledger_alone_and_lists_the_runs()
    {
        var run = CliRun.Of("privacy", "ledger", "show", "--ledger", LedgerPath, "--delta", "1e-5", "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(50, run.Json.GetProperty("records").GetInt64());
        var expected = new RdpAccountant().Epsilon([new SelfComposed(Step, 50)], 1e-5).Epsilon;
        Assert.Equal(expected, run.Json.GetProperty("epsilon").GetDouble(), 12);
        var runs = run.Json.GetProperty("runs").EnumerateArray().Select(r => (r.GetProperty("run_id").GetString(), r.GetProperty("events").GetInt64())).ToList();
        Assert.Equal([("run-1", 30L), ("run-2", 20L)], runs);
    }

    [Fact]
    public void A_missing_ledger_file_exits_2_naming_it()
    {
        var missing = Path.Combine(_folder, "nope.sqlite");
        var run = CliRun.Of("privacy", "ledger", "show", "--ledger", missing);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(missing, run.Stderr);
        Assert.False(File.Exists(missing)); // inspecting never creates a ledger
    }
}
