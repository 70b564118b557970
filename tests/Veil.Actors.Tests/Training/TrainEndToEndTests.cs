using Veil.Actors.Tests.Cli;
using Veil.Ledger.Accountants;
using Veil.Ledger.Events;
using Veil.Ledger.Store;
using Xunit;

namespace Veil.Actors.Tests.Training;

/// <summary>The whole pipeline for real (TorchSharp, actors, SQLite ledger, CLI) on small synthetic data, in seconds.</summary>
[Collection(TrainingCollection.Name)]
public class TrainEndToEndTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void A_tiny_private_run_learns_and_its_epsilon_comes_from_the_ledger()
    {
        var run = CliRun.Of(["train", .. _data.Settings(), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var json = run.Json;
        var steps = json.GetProperty("steps").GetInt64();
        Assert.Equal(12, steps); // ⌈2 epochs · 1200 / 200⌉
        Assert.True(json.GetProperty("test_accuracy").GetDouble() > 0.5, $"accuracy {json.GetProperty("test_accuracy")} (chance is 0.1)");

        using var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false);
        Assert.True(store.Verify().Valid);
        var records = store.ReadAll();
        Assert.Equal(steps, records.Count);
        Assert.Equal(Enumerable.Range(0, (int)steps).Select(i => (long)i), records.Select(r => r.Step));
        var q = json.GetProperty("sampling_rate").GetDouble();
        var sigma = json.GetProperty("noise_multiplier").GetDouble();
        Assert.All(records, r => Assert.Equal(new PoissonSampled(q, new GaussianEvent(sigma)), r.Event));
        var fromLedger = new RdpAccountant().Epsilon(records.Select(r => r.Event), 1e-5).Epsilon;
        Assert.Equal(fromLedger, json.GetProperty("epsilon").GetDouble(), 12);
        Assert.True(fromLedger <= 3.0);
        Assert.True(File.Exists(Path.Combine(json.GetProperty("run_dir").GetString()!, "result.json")));
    }

    [Fact]
    public void A_second_run_that_would_exceed_the_dataset_budget_refuses_to_start_and_says_what_was_spent()
    {
        Assert.Equal(0, CliRun.Of(["train", .. _data.Settings("veil.privacy.budget.epsilon=3.2")]).ExitCode);
        var second = CliRun.Of(["train", .. _data.Settings("veil.privacy.budget.epsilon=3.2")]);
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("not starting", second.Stderr);
        Assert.Contains("12 events", second.Stderr);
        Assert.Contains("remaining ε", second.Stderr);
        using var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false);
        Assert.Equal(12, store.ReadAll().Count); // nothing of the refused run was written
    }

    [Fact]
    public void A_non_finite_loss_stops_the_run_and_leaves_a_verifiable_ledger()
    {
        var run = CliRun.Of(["train", .. _data.Settings("veil.optimizer.learning-rate=1e38", "veil.dp.noise-multiplier=1.0")]);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("non-finite", run.Stderr, StringComparison.OrdinalIgnoreCase);
        using var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false);
        Assert.True(store.Verify().Valid);
    }

    [Fact]
    public void Crashing_workers_are_restarted_and_every_step_is_released_exactly_once()
    {
        var run = CliRun.Of(["train", .. _data.Settings("veil.chaos.enabled=true", "veil.chaos.crash-worker-every=3"), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), store.ReadAll().Select(r => r.Step));
        Assert.Equal(12, run.Json.GetProperty("parameter_version").GetInt64());
    }

    [Fact]
    public void Flaky_decoding_is_retried_with_back_off_and_the_run_completes()
    {
        var run = CliRun.Of(["train", .. _data.Settings("veil.chaos.enabled=true", "veil.chaos.decode-failure-probability=0.2"), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(12, run.Json.GetProperty("ledger_events").GetInt64());
    }

    [Fact]
    public void Quiet_prints_no_step_lines_but_keeps_the_summary_and_json()
    {
        var run = CliRun.Of(["train", .. _data.Settings(), "--quiet", "--json"]);
        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("\nstep ", "\n" + run.Stdout);
        Assert.Contains("done: test accuracy", run.Stdout);
        Assert.Equal(12, run.Json.GetProperty("steps").GetInt64());
    }

    [Fact]
    public void A_missing_dataset_says_how_to_install_it_or_which_key_to_set()
    {
        var run = CliRun.Of(["train", .. _data.Settings($"veil.data.path={Path.Combine(_data.Folder, "nowhere")}")]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("veil.data.path", run.Stderr);
        Assert.Contains("dataset-fashion-mnist", run.Stderr);
    }

    [Fact]
    public void A_corrupt_idx_file_is_named()
    {
        var images = Path.Combine(_data.Folder, "train-images-idx3-ubyte.gz");
        var bytes = File.ReadAllBytes(images);
        File.WriteAllBytes(images, bytes[..(bytes.Length / 2)]);
        var run = CliRun.Of(["train", .. _data.Settings()]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("train-images-idx3-ubyte.gz", run.Stderr);
    }

    [Fact]
    public void A_hocon_typo_exits_2_naming_the_key_and_the_nearest_valid_one()
    {
        var run = CliRun.Of(["train", .. _data.Settings("veil.dp.clip-nrom=1")]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("veil.dp.clip-nrom", run.Stderr);
        Assert.Contains("veil.dp.clip-norm", run.Stderr);
    }
}

/// <summary>Training runs use all cores and a process-wide torch thread budget: never in parallel with each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingCollection
{
    public const string Name = "training runs";
}
