using Veil.Actors.Tests.Cli;
using Veil.Compute.Models;
using Veil.Compute.Parameters;
using Veil.DataLoading.Sources;
using Veil.Ledger.Store;
using Xunit;

namespace Veil.Actors.Tests.Training;

/// <summary>`train` with the 32×32 catalog models on the SYNTHETIC CIFAR-shaped source, and the refusal when model and data disagree.</summary>
[Collection(TrainingCollection.Name)]
public class TrainCatalogModelTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "veil-catalog-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private string Ledger => Path.Combine(_folder, "ledger.sqlite");

    private string[] Settings(string model, params string[] more) =>
    [
        "--set", $"veil.run.dir={Path.Combine(_folder, "runs")}", "--set", $"veil.privacy.ledger.path={Ledger}",
        "--set", $"veil.model.name={model}", "--set", "veil.model.init-seed=7", "--set", "veil.run.seed=11",
        "--set", "veil.dp.clip-norm=1.0", "--set", "veil.optimizer.learning-rate=0.5", "--set", "veil.dp.noise-multiplier=1.0",
        "--set", "veil.runtime.workers-per-device=1", "--set", "veil.runtime.threads-per-worker=1",
        .. more.SelectMany(m => new[] { "--set", m }),
    ];

    [Theory]
    [InlineData("off")]
    [InlineData("on")] // weight-standardised convolutions: same parameters, their own per-example rule
    public void A_tiny_resnet18_gn_32_dp_run_on_synthetic_cifar_trains_end_to_end_and_records_every_step(string weightStandardisation)
    {
        // 48 examples, L = 16, 1 epoch → 3 steps of ≈ 16 examples in micro-batches of 8: seconds on one thread.
        var run = CliRun.Of(["train", .. Settings("resnet18-gn-32", $"veil.model.weight-standardisation={weightStandardisation}",
            "veil.data.source=\"synthetic:cifar:48\"", "veil.data.test-source=\"synthetic:cifar-test:16\"",
            "veil.dp.expected-batch-size=16", "veil.dp.epochs=1", "veil.runtime.micro-batch-size=8", "veil.eval.batch-size=16"), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var json = run.Json;
        Assert.Equal(3, json.GetProperty("steps").GetInt64());
        Assert.Equal(3, json.GetProperty("ledger_events").GetInt64());
        using (var source = ImageSources.Open("synthetic:cifar:48"))
            Assert.Equal(source.Fingerprint, json.GetProperty("dataset_fingerprint").GetString());
        using (var store = SqliteLedgerStore.Open(Ledger, createIfMissing: false))
        {
            Assert.True(store.Verify().Valid);
            Assert.Equal(3, store.ReadAll().Count);
        }
        var accuracy = json.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy is >= 0 and <= 1, $"accuracy {accuracy}");

        // The run changed the weights: noisy clipped updates were applied, not just recorded.
        var runDir = json.GetProperty("run_dir").GetString()!;
        var trained = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(runDir, "parameters.f32"))).ToArray();
        using var initial = ModelCatalog.Create("resnet18-gn-32", 7);
        var start = ParameterVector.Flatten(initial);
        Assert.Equal(start.Length, trained.Length);
        Assert.True(start.Zip(trained, (a, b) => Math.Abs(a - b)).Max() > 1e-4, "the trained parameters equal the initial ones");
        Assert.Contains("SYNTHETIC", File.ReadAllText(Path.Combine(runDir, "plan.json")));
        using var plan = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "plan.json")));
        Assert.Equal(weightStandardisation == "on", plan.RootElement.GetProperty("weight_standardisation").GetBoolean());
    }

    [Fact]
    public void A_model_that_does_not_fit_the_data_is_refused_naming_veil_model_the_shape_and_the_models_that_fit()
    {
        var run = CliRun.Of(["train", .. Settings("tanh-cnn",
            "veil.data.source=\"synthetic:cifar:48\"", "veil.data.test-source=\"synthetic:cifar-test:16\"",
            "veil.dp.expected-batch-size=16", "veil.dp.epochs=1")]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("veil.model.name = tanh-cnn", run.Stderr);
        Assert.Contains("3×32×32", run.Stderr);
        Assert.Contains("1×28×28", run.Stderr);
        Assert.Contains("resnet18-gn-32, wrn16-4", run.Stderr);
        Assert.False(File.Exists(Ledger) && LedgerEvents() > 0, "nothing may be released for a refused run");
    }

    [Fact]
    public void A_32x32_model_on_the_fashion_mnist_idx_files_is_refused_naming_the_models_that_fit()
    {
        using var data = new SyntheticFashionMnist(train: 100, test: 20);
        var run = CliRun.Of(["train", .. Settings("resnet18-gn-32", $"veil.data.path={data.Folder}", "veil.dp.expected-batch-size=16", "veil.dp.epochs=1")]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("veil.model.name = resnet18-gn-32", run.Stderr);
        Assert.Contains("veil.data.path", run.Stderr);
        Assert.Contains("tanh-cnn, mlp", run.Stderr);
        Assert.False(File.Exists(Ledger) && LedgerEvents() > 0, "nothing may be released for a refused run");
    }

    private long LedgerEvents()
    {
        using var store = SqliteLedgerStore.Open(Ledger, createIfMissing: false);
        return store.ReadAll().Count;
    }
}
