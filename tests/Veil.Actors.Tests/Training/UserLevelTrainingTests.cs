using System.Text.Json;
using Veil.Actors.Configuration;
using Veil.Actors.Tests.Cli;
using Veil.Ledger.Events;
using Veil.Ledger.Store;
using Xunit;

namespace Veil.Actors.Tests.Training;

/// <summary>User-level DP through the whole pipeline (CLI, sampler, workers, ledger) on small synthetic data with synthetic users.</summary>
[Collection(TrainingCollection.Name)]
public sealed class UserLevelTrainingTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();

    public void Dispose() => _data.Dispose();

    // 1 200 examples dealt to 120 synthetic users (10 each); 30 users per step: q = 0.25, T = ⌈2 · 120 / 30⌉ = 8.
    private string[] UserLevel(params string[] more) => _data.Settings(
    [
        "veil.privacy.unit=user", "veil.privacy.examples-per-user=5", "veil.data.owners.from=synthetic", "veil.data.owners.synthetic-users=120",
        "veil.dp.expected-batch-size=30", .. more,
    ]);

    [Fact]
    public void A_user_level_run_samples_users_records_their_rate_and_says_user_level_wherever_it_prints_epsilon()
    {
        var run = CliRun.Of(["train", .. UserLevel(), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var json = run.Json;
        Assert.Equal("user", json.GetProperty("privacy_unit").GetString());
        Assert.Equal(8, json.GetProperty("steps").GetInt64());
        Assert.Equal(0.25, json.GetProperty("sampling_rate").GetDouble(), 12);
        Assert.Contains("(user-level)", run.Stdout);
        Assert.Contains("ε(user)", run.Stdout + run.Stderr);
        using (var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false))
        {
            var sigma = json.GetProperty("noise_multiplier").GetDouble();
            Assert.All(store.ReadAll(), r => Assert.Equal(new Veil.Ledger.Events.UserLevel(new PoissonSampled(0.25, new GaussianEvent(sigma)), 5), r.Event));
        }
        var runDir = json.GetProperty("run_dir").GetString()!;
        using var plan = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "plan.json")));
        var frozen = plan.RootElement.GetProperty("plan");
        Assert.Equal("user", frozen.GetProperty("privacy_unit").GetString());
        Assert.Equal(120, frozen.GetProperty("dataset_size").GetInt64()); // users
        Assert.Equal(5, frozen.GetProperty("examples_per_user").GetInt32());
        Assert.Equal(30, frozen.GetProperty("expected_batch_size").GetDouble(), 9);
        Assert.Equal(1200, plan.RootElement.GetProperty("scope_examples").GetInt32());
        Assert.Equal(120, plan.RootElement.GetProperty("scope_users").GetInt32());
        Assert.Contains("user-level ε", File.ReadAllText(Path.Combine(runDir, "report.md")));
    }

    [Fact]
    public void After_an_example_level_run_on_the_same_people_a_user_level_run_is_refused_naming_it()
    {
        Assert.Equal(0, CliRun.Of(["train", .. UserLevel()]).ExitCode);
        var example = CliRun.Of(["train", .. _data.Settings(), "--json"]);
        Assert.True(example.ExitCode == 0, example.Stderr);
        Assert.Equal("example", example.Json.GetProperty("privacy_unit").GetString());
        var exampleRun = Path.GetFileName(example.Json.GetProperty("run_dir").GetString()!);
        var refused = CliRun.Of(["train", .. UserLevel()]);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("not starting a user-level run", refused.Stderr);
        Assert.Contains(exampleRun, refused.Stderr);
        Assert.Contains("120 users", refused.Stderr);
    }

    [Fact]
    public void The_synthetic_users_recipe_is_user_level_over_6000_users_of_10_images()
    {
        var root = AppContext.BaseDirectory;
        while (!Directory.Exists(Path.Combine(root, "hocon"))) root = Path.GetDirectoryName(root)!;
        var config = VeilConfiguration.Load(Path.Combine(root, "hocon", "fmnist-users-eps3.conf"));
        var privacy = PrivacySettings.Create(config);
        var owners = TrainingSettings.Create(config).Ownership;
        Assert.Equal(Veil.Ledger.Plan.PrivacyUnit.User, privacy.Unit);
        Assert.Equal(10, privacy.ExamplesPerUser);
        Assert.Equal(("synthetic", 6000), (owners.From, owners.SyntheticUsers));
    }

    [Fact]
    public void User_level_without_owners_is_refused_naming_the_key()
    {
        var run = CliRun.Of(["train", .. _data.Settings("veil.privacy.unit=user")]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("veil.data.owners.from", run.Stderr);
    }

    [Fact]
    public void More_examples_per_user_than_a_micro_batch_holds_is_refused_naming_both_keys()
    {
        var run = CliRun.Of(["train", .. UserLevel("veil.privacy.examples-per-user=100")]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("veil.privacy.examples-per-user = 100", run.Stderr);
        Assert.Contains("veil.runtime.micro-batch-size = 64", run.Stderr);
    }

    [Fact]
    public void A_user_level_last_layer_fit_is_refused_naming_the_mode()
    {
        var run = CliRun.Of(["train", .. UserLevel("veil.mode=last-layer")]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("veil.mode = dp-sgd", run.Stderr);
    }

    [Fact]
    public void Zero_examples_per_user_is_refused()
    {
        var e = Assert.Throws<ConfigurationException>(() => PrivacySettings.Create(VeilConfiguration.Load(overrides: ["veil.privacy.examples-per-user=0"])));
        Assert.Contains("veil.privacy.examples-per-user", e.Message);
    }

}
