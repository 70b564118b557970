using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Veil.Ledger.Accountants;
using Veil.Ledger.Events;
using Veil.Ledger.Store;
using Xunit;

namespace Veil.Actors.Tests.LastLayer;

/// <summary>`train` with veil.mode = last-layer, for real (CLI, TorchSharp, SQLite ledger), on small data.</summary>
[Collection(TrainingCollection.Name)]
public class LastLayerTrainTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new(train: 1200, test: 300);

    public void Dispose() => _data.Dispose();

    private string[] LastLayer(string method, params string[] more) =>
        _data.Settings(["veil.mode=last-layer", $"veil.last-layer.method={method}", "veil.last-layer.regularisation=20",
            "veil.last-layer.sgd.epochs=4", "veil.last-layer.sgd.expected-batch-size=300", "veil.last-layer.newton.steps=1", .. more]);

    [Theory]
    [InlineData("dp-least-squares", 2, new[] { "covariance", "targets" })]
    [InlineData("dp-newton", 2, new[] { "gradient", "hessian" })]
    [InlineData("dp-fc", 17, new[] { "covariance", "sgd" })]
    [InlineData("dp-sgd-last-layer", 16, new[] { "sgd" })]
    public void A_last_layer_run_records_every_release_in_the_ledger_and_its_epsilon_comes_from_there(string method, int releases, string[] groups)
    {
        var run = CliRun.Of(["train", .. LastLayer(method), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var json = run.Json;
        Assert.Equal(method, json.GetProperty("method").GetString());
        Assert.Equal(releases, json.GetProperty("releases").GetInt64());
        Assert.True(json.GetProperty("test_accuracy").GetDouble() > 0.3, $"accuracy {json.GetProperty("test_accuracy")} (chance is 0.1)");

        using var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false);
        Assert.True(store.Verify().Valid);
        var records = store.ReadAll();
        Assert.Equal(releases, records.Count);
        Assert.Equal(Enumerable.Range(0, releases).Select(i => (long)i), records.Select(r => r.Step));
        var sigmas = json.GetProperty("noise_multipliers");
        Assert.Equal(groups, sigmas.EnumerateObject().Select(p => p.Name));
        // Every event is a Gaussian release with its group's σ (SGD steps Poisson-sampled at q = 300/1200).
        var allowed = groups.Select(g => g == "sgd"
            ? (DpEvent)new PoissonSampled(0.25, new GaussianEvent(sigmas.GetProperty(g).GetDouble()))
            : new GaussianEvent(sigmas.GetProperty(g).GetDouble())).ToHashSet();
        Assert.All(records, r => Assert.Contains(r.Event, allowed));
        var fromLedger = new RdpAccountant().Epsilon(records.Select(r => r.Event), 1e-5).Epsilon;
        Assert.Equal(fromLedger, json.GetProperty("epsilon").GetDouble(), 12);
        Assert.True(fromLedger <= 3.0 && fromLedger > 2.99, $"ε = {fromLedger} (target 3)");
        var dir = json.GetProperty("run_dir").GetString()!;
        foreach (var file in new[] { "plan.json", "result.json", "head.f64", "head.json" }) Assert.True(File.Exists(Path.Combine(dir, file)), file);
        Assert.Equal(785 * 10 * sizeof(double), new FileInfo(Path.Combine(dir, "head.f64")).Length);
    }

    [Fact]
    public void A_last_layer_run_that_would_exceed_the_dataset_budget_refuses_to_start()
    {
        Assert.Equal(0, CliRun.Of(["train", .. LastLayer("dp-least-squares", "veil.privacy.budget.epsilon=4")]).ExitCode);
        var second = CliRun.Of(["train", .. LastLayer("dp-least-squares", "veil.privacy.budget.epsilon=4")]);
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("not starting", second.Stderr);
        Assert.Contains("remaining ε", second.Stderr);
        using var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false);
        Assert.Equal(2, store.ReadAll().Count); // nothing of the refused run was written
    }

    [Fact]
    public void Last_layer_and_DP_SGD_runs_on_the_same_examples_spend_the_same_budget()
    {
        var sgd = CliRun.Of(["train", .. _data.Settings(), "--json"]);
        Assert.Equal(0, sgd.ExitCode);
        var lastLayer = CliRun.Of(["train", .. LastLayer("dp-least-squares", "veil.privacy.budget.epsilon=8"), "--json"]);
        Assert.True(lastLayer.ExitCode == 0, lastLayer.Stderr);
        Assert.Equal(sgd.Json.GetProperty("dataset_fingerprint").GetString(), lastLayer.Json.GetProperty("dataset_fingerprint").GetString());
        Assert.True(lastLayer.Json.GetProperty("epsilon").GetDouble() > sgd.Json.GetProperty("epsilon").GetDouble() + 1, "the second run's ε must include the first's");
    }

    [Fact]
    public void A_misspelt_or_invalid_last_layer_key_is_an_error_naming_it()
    {
        var typo = CliRun.Of(["train", .. LastLayer("dp-least-squares", "veil.last-layer.regularization=3")]);
        Assert.NotEqual(0, typo.ExitCode);
        Assert.Contains("veil.last-layer.regularisation", typo.Stderr);
        var method = CliRun.Of(["train", .. LastLayer("dp-ridge")]);
        Assert.Contains("veil.last-layer.method", method.Stderr);
        Assert.Contains("dp-least-squares", method.Stderr);
        var bias = CliRun.Of(["train", .. LastLayer("dp-least-squares", "veil.last-layer.bias-feature=2")]);
        Assert.Contains("veil.last-layer.bias-feature", bias.Stderr);
    }

    [Fact]
    public void Resuming_a_last_layer_run_is_refused_with_the_reason()
    {
        var run = CliRun.Of(["train", .. LastLayer("dp-least-squares"), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var resume = CliRun.Of(["train", "--resume", run.Json.GetProperty("run_dir").GetString()!]);
        Assert.NotEqual(0, resume.ExitCode);
        Assert.Contains("last-layer run", resume.Stderr);
    }

    [FashionMnistFact]
    public void Last_layer_least_squares_on_real_Fashion_MNIST_pixels_beats_chance_clearly()
    {
        var run = CliRun.Of(["train", "--set", "veil.mode=last-layer", "--set", "veil.data.train-examples=10000", "--set", "veil.data.test-examples=2000",
            "--set", $"veil.run.dir={_data.Runs}", "--set", $"veil.privacy.ledger.path={_data.Ledger}", "--set", "veil.run.seed=3", "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var accuracy = run.Json.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy > 0.6, $"accuracy {accuracy} on 2000 test images (chance 0.1)");
        Assert.True(run.Json.GetProperty("epsilon").GetDouble() <= 3.0);
    }
}
