using Veil.Actors.Configuration;
using Veil.Actors.PrivateRuns;
using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Veil.Ledger.Store;
using Xunit;

namespace Veil.Actors.Tests.PrivateRuns;

/// <summary>
/// The accountant is a property of the ledger: the first run binds it, later runs are planned and judged by it, and a run
/// cannot pick a different analysis for examples whose budget the ledger already keeps with another.
/// </summary>
[Collection(TrainingCollection.Name)]
public class LedgerAccountantTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new(train: 600, test: 100);

    public void Dispose() => _data.Dispose();

    private CliRun Train(params string[] more) =>
        CliRun.Of(["train", "--quiet", "--json", .. _data.Settings(["veil.dp.epochs=1", "veil.dp.noise-multiplier=0", "veil.dp.target-epsilon=2", .. more])]);

    private long Records()
    {
        using var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false);
        return store.ReadAll().Count;
    }

    [Fact]
    public void A_ledger_keeps_the_accountant_of_its_first_run_and_refuses_a_run_that_names_another()
    {
        var first = Train("veil.privacy.accountant=pld");
        Assert.True(first.ExitCode == 0, first.Stderr + first.Stdout);
        Assert.Equal("pld", first.Json.GetProperty("accountant").GetString());
        var records = Records();

        var other = Train("veil.privacy.accountant=rdp");
        Assert.NotEqual(0, other.ExitCode);
        Assert.Contains("veil.privacy.accountant", other.Stderr + other.Stdout);
        Assert.Contains("fresh ledger", other.Stderr + other.Stdout);
        Assert.Equal(records, Records());
    }

    [Fact]
    public void A_run_that_asks_for_the_ledgers_accountant_is_calibrated_and_judged_by_the_one_bound()
    {
        var first = Train("veil.privacy.accountant=pld");
        Assert.True(first.ExitCode == 0, first.Stderr + first.Stdout);
        var second = Train();
        Assert.True(second.ExitCode == 0, second.Stderr + second.Stdout);
        Assert.Equal("pld", second.Json.GetProperty("accountant").GetString());
        Assert.Equal(first.Json.GetProperty("noise_multiplier").GetDouble(), second.Json.GetProperty("noise_multiplier").GetDouble(), 9);

        using var fresh = new SyntheticFashionMnist(train: 600, test: 100);
        var rdp = CliRun.Of(["train", "--quiet", "--json", .. fresh.Settings("veil.dp.epochs=1", "veil.dp.noise-multiplier=0", "veil.dp.target-epsilon=2")]);
        Assert.True(rdp.ExitCode == 0, rdp.Stderr + rdp.Stdout);
        Assert.Equal("rdp", rdp.Json.GetProperty("accountant").GetString());
        // PLD certifies the same ε with less noise: had the second run been planned with RDP, its σ would be this larger one.
        Assert.True(rdp.Json.GetProperty("noise_multiplier").GetDouble() > second.Json.GetProperty("noise_multiplier").GetDouble());
    }

    [Fact]
    public void Ledger_show_reports_with_the_ledgers_own_accountant_unless_another_is_named()
    {
        Assert.Equal(0, Train("veil.privacy.accountant=pld").ExitCode);
        var show = CliRun.Of("privacy", "ledger", "show", "--ledger", _data.Ledger, "--json");
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Equal("pld", show.Json.GetProperty("accountant").GetString());
        var second = CliRun.Of("privacy", "ledger", "show", "--ledger", _data.Ledger, "--accountant", "rdp");
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("a second opinion: the ledger's accountant is pld", second.Stdout);
    }

    [Theory]
    [InlineData("ledger", null, "rdp")]
    [InlineData("ledger", "pld", "pld")]
    [InlineData("pld", null, "pld")]
    [InlineData("rdp", "rdp", "rdp")]
    public void The_accountant_a_run_uses_follows_the_ledger(string requested, string? bound, string expected) =>
        Assert.Equal(expected, LedgerAccountant.Resolve(requested, bound, "ledger.sqlite"));

    [Fact]
    public void A_ledger_naming_an_accountant_this_version_does_not_know_is_not_spent_on()
    {
        var e = Assert.Throws<Veil.Actors.Training.TrainingFailedException>(() => LedgerAccountant.Resolve("ledger", "moments", "ledger.sqlite"));
        Assert.Contains("moments", e.Message);
        Assert.Throws<ConfigurationException>(() => LedgerAccountant.Resolve("pld", "rdp", "ledger.sqlite"));
    }
}
