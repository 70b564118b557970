using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Veil.Ledger.Events;
using Veil.Ledger.Store;
using Xunit;

namespace Veil.Actors.Tests.Auditing;

/// <summary>
/// `veil privacy audit` with veil.privacy.unit = user: canary users (all of a user's examples mislabelled, in or out together),
/// a user-level run, one guess per user, and a user-level bound. Small synthetic data: 1 200 examples of 120 synthetic users.
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class UserLevelAuditTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();

    public void Dispose() => _data.Dispose();

    private CliRun Audit(params string[] more) => CliRun.Of(["privacy", "audit", "--quiet", "--json", .. _data.Settings(
    [
        "veil.privacy.unit=user", "veil.privacy.examples-per-user=10", "veil.data.owners.from=synthetic", "veil.data.owners.synthetic-users=120",
        "veil.dp.expected-batch-size=30", "veil.audit.canaries=40", "veil.audit.guesses-in=10", "veil.audit.guesses-out=10", "veil.audit.seed=5",
        .. more,
    ])]);

    [Fact]
    public void A_user_level_audit_draws_canary_users_and_bounds_the_user_level_epsilon()
    {
        var run = Audit("veil.dp.epochs=3");
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var json = run.Json;
        int Int(string key) => json.GetProperty(key).GetInt32();
        Assert.Equal("user", json.GetProperty("privacy_unit").GetString());
        Assert.Equal(40, Int("canaries"));
        Assert.Equal(20, Int("guesses"));
        Assert.InRange(Int("included"), 1, 39);
        // Canary users are whole: ten examples each, in or out together.
        Assert.Equal(1200 - 400 + 10 * Int("included"), Int("training_examples"));
        Assert.Contains("canary users", run.Stdout);
        Assert.Contains("user-level ε ≥", run.Stdout);
        var claimed = json.GetProperty("claimed_epsilon").GetDouble();
        var lower = json.GetProperty("lower_bound").GetDouble();
        Assert.True(lower >= 0 && lower <= claimed, $"lower bound {lower} vs claimed {claimed}");
        // The audited run sampled users: 30 of the 120 − 40 + included users expected per step.
        var q = json.GetProperty("sampling_rate").GetDouble();
        Assert.Equal(30.0 / (120 - 40 + Int("included")), q, 12);
        using var store = SqliteLedgerStore.Open(json.GetProperty("ledger").GetString()!, createIfMissing: false);
        var sigma = json.GetProperty("noise_multiplier").GetDouble();
        Assert.All(store.ReadAll(), r => Assert.Equal(new UserLevel(new PoissonSampled(q, new GaussianEvent(sigma)), 10), r.Event));
    }

    // With σ = 0.01 (ε in the hundreds of thousands) the mlp memorises mislabelled users: 20 guesses on users must then show
    // leakage, a user-level bound above 0. Fixed seeds (run 11, canaries 5).
    [Fact]
    public void Without_meaningful_noise_the_user_level_audit_detects_membership()
    {
        var run = Audit("veil.dp.noise-multiplier=0.01", "veil.dp.epochs=30", "veil.privacy.budget.epsilon=1e9");
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var json = run.Json;
        Assert.True(json.GetProperty("lower_bound").GetDouble() > 0, run.Stdout);
        Assert.True(json.GetProperty("mean_loss_included").GetDouble() < json.GetProperty("mean_loss_excluded").GetDouble());
        Assert.True(json.GetProperty("holds").GetBoolean());
    }

    [Fact]
    public void A_user_level_audit_without_owners_is_refused_naming_the_key()
    {
        var run = CliRun.Of(["privacy", "audit", "--quiet", .. _data.Settings("veil.privacy.unit=user")]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("veil.data.owners.from", run.Stderr);
    }

    [Fact]
    public void As_many_canary_users_as_users_is_refused_naming_the_key()
    {
        var run = Audit("veil.audit.canaries=120");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("veil.audit.canaries", run.Stderr);
    }
}
