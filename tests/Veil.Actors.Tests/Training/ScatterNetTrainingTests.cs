using Veil.Actors.Configuration;
using Veil.Actors.Scattering;
using Veil.Actors.Tests.Cli;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Idx;
using Veil.Ledger.Store;
using Xunit;
using static Veil.Actors.Tests.Transfer.TinyPretraining;

namespace Veil.Actors.Tests.Training;

/// <summary>DP-SGD runs of the scatternet catalog models: trained on scattering features, charged to the images.</summary>
[Collection(TrainingCollection.Name)]
public sealed class ScatterNetTrainingTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();

    public void Dispose() => _data.Dispose();

    private string[] Settings(string model, params string[] more) =>
        _data.Settings([$"veil.model.name={model}", "veil.optimizer.learning-rate=2", "veil.dp.epochs=4", .. Subset, .. more]);

    [Theory]
    [InlineData("scatternet-linear")]
    [InlineData("scatternet-cnn")]
    public void A_scatternet_model_trains_on_features_computed_once_while_the_ledger_charges_the_same_images_as_a_pixel_model(string model)
    {
        var pixels = CliRun.Of(["train", .. Settings("mlp"), "--json"]);
        Assert.True(pixels.ExitCode == 0, pixels.Stderr);
        var features = CliRun.Of(["train", .. Settings(model), "--json"]);
        Assert.True(features.ExitCode == 0, features.Stderr + features.Stdout);

        // The features are a deterministic function of the images: same examples, same N, same scope, same sampling.
        Assert.Equal(pixels.Json.GetProperty("data_scope").GetString(), features.Json.GetProperty("data_scope").GetString());
        Assert.Equal(pixels.Json.GetProperty("dataset_fingerprint").GetString(), features.Json.GetProperty("dataset_fingerprint").GetString());
        Assert.Equal(pixels.Json.GetProperty("sampling_rate").GetDouble(), features.Json.GetProperty("sampling_rate").GetDouble());
        using (var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false))
            Assert.Equal(800, store.ReadScope(features.Json.GetProperty("data_scope").GetString()!)!.Count);
        // Computed once per image and cached: the training and the test split's features.
        Assert.Equal(2, Directory.GetFiles(Path.Combine(_data.Runs, "feature-cache"), "*.features").Length);
        Assert.True(features.Json.GetProperty("test_accuracy").GetDouble() > 0.3, $"accuracy {features.Json.GetProperty("test_accuracy")} (chance is 0.1)");
    }

    [Fact]
    public void A_scatternet_model_trains_from_an_image_folder_charging_the_same_examples_as_a_pixel_model()
    {
        using var images = new SyntheticImageSources();
        var pixels = CliRun.Of(["train", .. images.Settings(images.TrainFolder, images.TestFolder), "--json"]);
        Assert.True(pixels.ExitCode == 0, pixels.Stderr);
        var features = CliRun.Of(["train", .. images.Settings(images.TrainFolder, images.TestFolder, "veil.model.name=scatternet-linear",
            "veil.optimizer.learning-rate=2", "veil.dp.epochs=4"), "--json"]);
        Assert.True(features.ExitCode == 0, features.Stderr + features.Stdout);
        Assert.Equal(pixels.Json.GetProperty("data_scope").GetString(), features.Json.GetProperty("data_scope").GetString());
        Assert.Equal(pixels.Json.GetProperty("dataset_fingerprint").GetString(), features.Json.GetProperty("dataset_fingerprint").GetString());
        Assert.True(features.Json.GetProperty("test_accuracy").GetDouble() > 0.3, $"accuracy {features.Json.GetProperty("test_accuracy")} (chance is 0.1)");
    }

    [Fact]
    public void Skipping_damaged_examples_is_refused_with_a_scatternet_model()
    {
        using var images = new SyntheticImageSources();
        var run = CliRun.Of(["train", .. images.Settings(images.TrainFolder, images.TestFolder, "veil.model.name=scatternet-linear",
            "veil.data.on-corrupt=skip")]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("veil.data.on-corrupt = fail", run.Stderr);
    }

    [Fact]
    public void An_audit_of_a_scatternet_model_scores_the_canaries_on_their_features()
    {
        var run = CliRun.Of(["privacy", "audit", "--quiet", "--json", .. _data.Settings(["veil.model.name=scatternet-linear", "veil.dp.epochs=2",
            "veil.audit.canaries=100", "veil.audit.guesses-in=10", "veil.audit.guesses-out=10", "veil.audit.seed=5"])]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.Equal(20, run.Json.GetProperty("guesses").GetInt32());
        var lower = run.Json.GetProperty("lower_bound").GetDouble();
        Assert.InRange(lower, 0, run.Json.GetProperty("claimed_epsilon").GetDouble());
    }

    [Fact]
    public void A_scatternet_model_with_augmentation_is_refused_naming_the_key()
    {
        using var images = new SyntheticImageSources();
        var run = CliRun.Of(["train", .. images.Settings(images.TrainFolder, images.TestFolder, "veil.model.name=scatternet-linear",
            "veil.data.augment.flip=true")]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("veil.data.augment.flip", run.Stderr);
        Assert.Contains("augmenting features is not defined", run.Stderr);
        Assert.False(File.Exists(images.Ledger), "refused before the run opens");
    }

    [Fact]
    public void Images_whose_side_is_not_a_multiple_of_2_to_the_J_are_refused_naming_the_data_key()
    {
        using var odd = new TemporaryIdx(side: 30);
        var run = CliRun.Of(["train", .. _data.Settings("veil.model.name=scatternet-linear", $"veil.data.path={odd.Folder}")]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("veil.model.name = scatternet-linear", run.Stderr);
        Assert.Contains("multiple of 2^J = 4", run.Stderr);
        Assert.Contains("veil.data.path", run.Stderr);
    }

    [Fact]
    public void Colour_or_oblong_images_cannot_be_transformed()
    {
        var map = new ScatterNetFeatureMap(ScatterNetSettings.Default, _data.Runs);
        Assert.Contains("one-channel", map.Refusal(SyntheticImageDataset.Create(4, 1, channels: 3)));
        Assert.Contains("square", map.Refusal(SyntheticImageDataset.Create(4, 1, height: 28, width: 32)));
        Assert.Null(map.Refusal(SyntheticImageDataset.Create(4, 1)));
    }

    private sealed class TemporaryIdx : IDisposable
    {
        public TemporaryIdx(int side)
        {
            Directory.CreateDirectory(Folder);
            var splits = SyntheticImageDataset.CreateSplits(200, 50, 3, height: side, width: side);
            IdxWriter.WriteDataset(splits.Train, Path.Combine(Folder, "train-images-idx3-ubyte.gz"), Path.Combine(Folder, "train-labels-idx1-ubyte.gz"));
            IdxWriter.WriteDataset(splits.Test, Path.Combine(Folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(Folder, "t10k-labels-idx1-ubyte.gz"));
        }

        public string Folder { get; } = Path.Combine(Path.GetTempPath(), "veil-scatternet-tests", Guid.NewGuid().ToString("N"));

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }
}
