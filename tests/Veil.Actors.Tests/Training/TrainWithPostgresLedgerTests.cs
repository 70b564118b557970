using Npgsql;
using Veil.Actors.Checkpoints;
using Veil.Actors.Tests.Cli;
using Veil.Ledger.Store;
using Veil.TestSupport.Postgres;
using Xunit;

namespace Veil.Actors.Tests.Training;

/// <summary>train and train --resume with veil.privacy.ledger.backend = postgres, on a real throw-away server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TrainWithPostgresLedgerTests(PostgresServer server) : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();
    private readonly string _connectionString = server.CreateDatabase();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void A_run_spends_on_the_postgres_ledger_keeps_its_password_out_of_run_files_and_resumes_on_it()
    {
        var run = CliRun.Of(["train", .. _data.Settings("veil.checkpoint.every-steps=3", "veil.privacy.ledger.backend=postgres",
            $"veil.privacy.ledger.connection-string=\"{_connectionString}\""), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.False(File.Exists(_data.Ledger)); // nothing went to the SQLite default
        var runDir = run.Json.GetProperty("run_dir").GetString()!;
        Assert.DoesNotContain(PostgresServer.Password, File.ReadAllText(Path.Combine(runDir, "settings.json")));
        Assert.DoesNotContain(PostgresServer.Password, File.ReadAllText(Path.Combine(runDir, "plan.json")));
        Assert.DoesNotContain(PostgresServer.Password, run.Stdout + run.Stderr);
        using (var store = PostgresLedgerStore.Open(_connectionString, createIfMissing: false))
        {
            Assert.Equal(LedgerVerification.Ok(12), store.Verify());
            Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), store.ReadAll().Select(r => r.Step));
        }

        // Break the newest checkpoint: the resume redoes steps 9–11, and their new releases go to the same database.
        var newest = new CheckpointStore(Path.Combine(runDir, "checkpoints"), 3).Files()[0];
        var bytes = File.ReadAllBytes(newest);
        bytes[100] ^= 0xFF;
        File.WriteAllBytes(newest, bytes);
        var resumed = CliRun.Of("train", "--resume", runDir, "--json");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal(15, resumed.Json.GetProperty("ledger_events").GetInt64());
        using var after = PostgresLedgerStore.Open(_connectionString, createIfMissing: false);
        Assert.Equal(LedgerVerification.Ok(15), after.Verify());
        Assert.Equal(new NpgsqlConnectionStringBuilder(_connectionString).Database, after.Location.Split('/')[^1]);
    }
}
