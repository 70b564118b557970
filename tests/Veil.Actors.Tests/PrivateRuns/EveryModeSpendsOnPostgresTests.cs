using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Veil.Ledger.Store;
using Veil.TestSupport.Postgres;
using Xunit;

namespace Veil.Actors.Tests.PrivateRuns;

/// <summary>
/// Every mode that touches private data goes through the one lifecycle, so each spends on the configured
/// ledger, PostgreSQL here: none opens a SQLite file of its own (last-layer fits once did), and their releases
/// on the same examples compose.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EveryModeSpendsOnPostgresTests(PostgresServer server) : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();
    private readonly string _connectionString = server.CreateDatabase();

    public void Dispose() => _data.Dispose();

    private string[] Postgres(params string[] more) => _data.Settings(
    [
        "veil.privacy.ledger.backend=postgres", $"veil.privacy.ledger.connection-string=\"{_connectionString}\"",
        $"veil.privacy.ledger.identity-key=\"{Path.Combine(_data.Folder, "identity.key")}\"", .. more,
    ]);

    private IReadOnlyList<LedgerRecord> Records()
    {
        using var store = PostgresLedgerStore.Open(_connectionString, createIfMissing: false);
        Assert.True(store.Verify().Valid);
        return store.ReadAll();
    }

    [Fact]
    public void A_last_layer_fit_spends_on_the_postgres_ledger_and_composes_with_dp_sgd_on_the_same_examples()
    {
        var fit = CliRun.Of(["train", "--json", .. Postgres("veil.mode=last-layer", "veil.last-layer.method=dp-least-squares", "veil.last-layer.target-epsilon=2")]);
        Assert.True(fit.ExitCode == 0, fit.Stderr + fit.Stdout);
        Assert.False(File.Exists(_data.Ledger), "the last-layer fit opened the SQLite default instead of the configured ledger");
        var released = Records();
        Assert.Equal(2, released.Count); // XᵀX and Xᵀy
        Assert.Equal(fit.Json.GetProperty("data_scope").GetString(), released[0].DatasetFingerprint);

        // DP-SGD on the same 1 200 examples is the same scope: it is charged on top of the fit, past a budget of 3.
        var sgd = CliRun.Of(["train", "--quiet", "--json", .. Postgres("veil.dp.epochs=3", "veil.privacy.budget.epsilon=3")]);
        Assert.NotEqual(0, sgd.ExitCode);
        Assert.Contains("budget", sgd.Stderr);
        Assert.Equal(2, Records().Count);
    }

    [Fact]
    public void An_audit_spends_on_the_postgres_ledger()
    {
        var audit = CliRun.Of(["privacy", "audit", "--quiet", "--json", .. Postgres("veil.audit.canaries=200", "veil.audit.guesses-in=20", "veil.audit.guesses-out=20", "veil.dp.epochs=1")]);
        Assert.True(audit.ExitCode == 0, audit.Stderr + audit.Stdout);
        Assert.False(File.Exists(_data.Ledger));
        Assert.Equal(audit.Json.GetProperty("steps").GetInt64(), Records().Count);
        Assert.StartsWith("postgres://", audit.Json.GetProperty("ledger").GetString());
    }

    [Fact]
    public void An_accuracy_benchmark_on_private_data_spends_on_the_postgres_ledger()
    {
        var recipe = Path.Combine(_data.Folder, "tiny.conf");
        File.WriteAllText(recipe, "veil { dp.epochs = 1 }");
        var bench = CliRun.Of(["bench", "accuracy", "--no-ceiling", "--recipes", recipe, "--epsilons", "2", "--plot", Path.Combine(_data.Folder, "p.png"), .. Postgres(), "--json"]);
        Assert.True(bench.ExitCode == 0, bench.Stderr + bench.Stdout);
        Assert.False(File.Exists(_data.Ledger));
        Assert.NotEmpty(Records());
        Assert.StartsWith("postgres://", bench.Json.GetProperty("rows")[0].GetProperty("ledger").GetString());
    }
}
