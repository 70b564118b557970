using Veil.Actors.Configuration;
using Veil.Actors.LastLayer;
using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Veil.Compute.Scattering;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Idx;
using Veil.DataLoading.PublicPrivate;
using Veil.Ledger.Store;
using Xunit;
using static Veil.Actors.Tests.Transfer.TinyPretraining;

namespace Veil.Actors.Tests.LastLayer;

/// <summary>veil.last-layer.features = scatternet: scattering features of the private split, and selection runs on public examples only.</summary>
[Collection(TrainingCollection.Name)]
public class ScatterNetFeatureSourceTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();

    public void Dispose() => _data.Dispose();

    private string[] LastLayer(params string[] more) =>
        _data.Settings(["veil.mode=last-layer", "veil.last-layer.method=dp-sgd-last-layer", "veil.last-layer.features=scatternet",
            "veil.last-layer.sgd.epochs=2", "veil.last-layer.sgd.expected-batch-size=200", "veil.last-layer.sgd.learning-rate=50",
            "veil.last-layer.sgd.momentum=0.9", "veil.last-layer.sgd.average=0.5", .. more]);

    private TrainingSettings Settings(params string[] more)
    {
        var args = _data.Settings(more);
        return TrainingSettings.Create(VeilConfiguration.Load(overrides: Enumerable.Range(0, args.Length / 2).Select(i => args[2 * i + 1]).ToArray()));
    }

    private PublicPrivateData Parts(PublicSplit split)
    {
        string Idx(string name) => Path.Combine(_data.Folder, name);
        var train = IdxImageDataset.Load("t", Idx("train-images-idx3-ubyte.gz"), Idx("train-labels-idx1-ubyte.gz"), 10);
        var test = IdxImageDataset.Load("t", Idx("t10k-images-idx3-ubyte.gz"), Idx("t10k-labels-idx1-ubyte.gz"), 10);
        return PublicPrivateSplitter.Split(train, test, split);
    }

    [Fact]
    public void Scattering_features_are_81_by_7_by_7_of_the_private_examples_group_normalised_and_cached()
    {
        var parts = Parts(new SubsetSplit(400, 2));
        var first = new ScatterNetFeatureSource(Settings(Subset), ScatterNetSettings.Default);
        var train = first.Train();
        Assert.False(first.FromCache);
        Assert.Equal(81 * 7 * 7, train.Dimension);
        Assert.Equal(parts.PrivateTrain.Count, train.Count);
        Assert.Equal(DatasetFingerprint.Of(parts.PrivateTrain), train.DatasetFingerprint);
        // The first example's second group (channels 3-5 × 49 positions) is its own scattering coefficients, standardised by themselves.
        var pixels = parts.PrivateTrain.Pixels.Take(784).Select(b => b / 255f).ToArray();
        using (var transform = new ScatteringTransform(28))
        {
            var raw = transform.Apply(pixels, 1).AsSpan(3 * 49, 3 * 49).ToArray();
            double mean = raw.Average(v => (double)v), variance = raw.Average(v => ((double)v - mean) * ((double)v - mean));
            var group = train.Values.AsSpan(3 * 49, 3 * 49).ToArray();
            for (int k = 0; k < group.Length; k++)
                Assert.Equal((raw[k] - mean) / Math.Sqrt(variance + ScatteringGroupNorm.Epsilon), group[k], 4);
        }

        var second = new ScatterNetFeatureSource(Settings(Subset), ScatterNetSettings.Default);
        Assert.Equal(train.Values, second.Train().Values);
        Assert.True(second.FromCache, "the second source must read the cached scattering coefficients");
        Assert.False(File.Exists(_data.Ledger), "computing features releases nothing");
    }

    [Fact]
    public void A_private_run_on_scattering_features_records_its_releases_under_the_private_scope()
    {
        var run = CliRun.Of(["train", .. LastLayer(Subset), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        using var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false);
        var records = store.ReadAll();
        Assert.Equal(8, records.Count); // ⌈2 epochs / q⌉ with q = 200/800
        Assert.Equal(800, store.ReadScope(run.Json.GetProperty("data_scope").GetString()!)!.Count);
        Assert.True(run.Json.GetProperty("test_accuracy").GetDouble() > 0.3, $"accuracy {run.Json.GetProperty("test_accuracy")} (chance is 0.1)");
    }

    [Fact]
    public void A_selection_run_trains_on_public_examples_only_and_leaves_the_configured_ledger_untouched()
    {
        var run = CliRun.Of(["train", .. LastLayer([.. Subset, "veil.last-layer.validation-examples=100"]), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.False(File.Exists(_data.Ledger), "a selection run must not touch the private set's ledger");
        Assert.False(run.Json.TryGetProperty("test_accuracy", out _), "a selection run reports no test figure");
        Assert.Equal(100, run.Json.GetProperty("validation_examples").GetInt32());
        Assert.Equal(300, run.Json.GetProperty("train_examples").GetInt32()); // the 400 public examples less the 100 held out
        using var store = SqliteLedgerStore.Open(run.Json.GetProperty("ledger").GetString()!, createIfMissing: false);
        Assert.Equal(300, store.ReadScope(run.Json.GetProperty("data_scope").GetString()!)!.Count);
    }

    [Fact]
    public void A_selection_run_needs_a_public_subset()
    {
        var run = CliRun.Of(["train", .. LastLayer("veil.last-layer.validation-examples=100")]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("veil.public.split = subset", run.Stderr);
    }

    [Fact]
    public void A_group_count_that_does_not_divide_the_channels_is_refused_naming_the_key()
    {
        var run = CliRun.Of(["train", .. LastLayer("veil.last-layer.scatternet.groups=10")]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("veil.last-layer.scatternet.groups", run.Stderr);
    }

    [Fact]
    public void Mirror_image_features_are_the_same_transform_of_each_image_flipped_left_to_right()
    {
        var parts = Parts(new SubsetSplit(400, 2));
        var source = new ScatterNetFeatureSource(Settings(Subset), ScatterNetSettings.Default, trainViews: [ImageView.Mirrored]);
        var train = source.Train();
        Assert.Single(train.OtherViews);
        Assert.Empty(source.Test().OtherViews);
        var image = parts.PrivateTrain.Pixels.Take(784).Select(b => b / 255f).ToArray();
        var mirrored = new float[784];
        for (int row = 0; row < 28; row++)
            for (int column = 0; column < 28; column++) mirrored[row * 28 + column] = image[row * 28 + 27 - column];
        using var transform = new ScatteringTransform(28);
        var raw = transform.Apply(mirrored, 1).AsSpan(3 * 49, 3 * 49).ToArray();
        double mean = raw.Average(v => (double)v), variance = raw.Average(v => ((double)v - mean) * ((double)v - mean));
        var group = train.OtherViews[0].AsSpan(3 * 49, 3 * 49).ToArray();
        for (int k = 0; k < group.Length; k++)
            Assert.Equal((raw[k] - mean) / Math.Sqrt(variance + ScatteringGroupNorm.Epsilon), group[k], 4);
        Assert.NotEqual(train.Values.AsSpan(0, 81 * 49).ToArray(), train.OtherViews[0].AsSpan(0, 81 * 49).ToArray());
    }

    [Theory]
    [InlineData("veil.last-layer.sgd.flip-views=true", "veil.last-layer.sgd.flip-views")]
    [InlineData("veil.last-layer.test-time-flip=true", "veil.last-layer.test-time-flip")]
    [InlineData("veil.last-layer.test-time-shift=1", "veil.last-layer.test-time-shift")]
    [InlineData("veil.last-layer.sgd.shift-views=1", "veil.last-layer.sgd.shift-views")]
    public void Views_on_features_without_other_views_are_refused_naming_the_key(string setting, string key)
    {
        var run = CliRun.Of(["train", .. LastLayer(setting, "veil.last-layer.features=pixels")]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(key, run.Stderr);
    }

    [Fact]
    public void Flip_views_on_a_method_without_SGD_steps_are_refused_naming_the_key()
    {
        var run = CliRun.Of(["train", .. LastLayer("veil.last-layer.sgd.flip-views=true", "veil.last-layer.method=dp-least-squares")]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("veil.last-layer.sgd.flip-views", run.Stderr);
    }

    [Fact]
    public void A_run_with_flip_views_and_test_time_views_makes_the_releases_of_one_without()
    {
        var run = CliRun.Of(["train", .. LastLayer([.. Subset, "veil.last-layer.sgd.flip-views=true", "veil.last-layer.test-time-flip=true",
            "veil.last-layer.test-time-shift=1"]), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        using var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false);
        Assert.Equal(8, store.ReadAll().Count); // ⌈2 epochs / q⌉ with q = 200/800, as without flips
        Assert.True(run.Json.GetProperty("test_accuracy").GetDouble() > 0.3, $"accuracy {run.Json.GetProperty("test_accuracy")} (chance is 0.1)");
    }

    [Fact]
    public void Public_components_without_a_public_subset_are_refused_naming_the_key()
    {
        var run = CliRun.Of(["train", .. LastLayer("veil.last-layer.scatternet.public-components=20")]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("veil.last-layer.scatternet.public-components", run.Stderr);
    }

    [Fact]
    public void Public_components_project_the_private_features_onto_a_subspace_fitted_on_the_public_subset()
    {
        var source = new ScatterNetFeatureSource(Settings(Subset), ScatterNetSettings.Default with { PublicComponents = 20 });
        var train = source.Train();
        Assert.Equal(20, train.Dimension);
        Assert.Equal(20, source.Test().Dimension);
        Assert.Contains("400 public examples", source.Description);
    }

    [Fact]
    public void An_unknown_compression_is_refused_naming_the_key_and_the_valid_values()
    {
        var error = Assert.Throws<ConfigurationException>(() => ScatterNetSettings.Create(
            VeilConfiguration.Load(overrides: ["veil.last-layer.scatternet.compression=cube"])));
        Assert.Contains("veil.last-layer.scatternet.compression", error.Message);
        Assert.Contains("none, sqrt, log", error.Message);
    }

    [Fact]
    public void Compression_keys_the_fingerprint_and_none_keeps_the_fingerprint_it_had_without_the_setting()
    {
        var none = new ScatterNetFeatureSource(Settings(Subset), ScatterNetSettings.Default with { Compression = "none" });
        var sqrt = new ScatterNetFeatureSource(Settings(Subset), ScatterNetSettings.Default with { Compression = "sqrt" });
        var log = new ScatterNetFeatureSource(Settings(Subset), ScatterNetSettings.Default with { Compression = "log" });
        var otherOffset = new ScatterNetFeatureSource(Settings(Subset), ScatterNetSettings.Default with { Compression = "log", LogOffset = 1 });
        Assert.Equal(4, new[] { none, sqrt, log, otherOffset }.Select(s => s.Fingerprint).Distinct().Count());
        Assert.Equal(new ScatterNetFeatureSource(Settings(Subset), ScatterNetSettings.Default).Fingerprint, none.Fingerprint);
        // The first example's raw coefficient 0 (its low-pass average) enters the group norm as its square root.
        var parts = Parts(new SubsetSplit(400, 2));
        var pixels = parts.PrivateTrain.Pixels.Take(784).Select(b => b / 255f).ToArray();
        using var transform = new ScatteringTransform(28);
        var raw = transform.Apply(pixels, 1).AsSpan(0, 3 * 49).ToArray().Select(v => Math.Sqrt(Math.Max(v, 0))).ToArray();
        double mean = raw.Average(), variance = raw.Average(v => (v - mean) * (v - mean));
        Assert.Equal((raw[0] - mean) / Math.Sqrt(variance + ScatteringGroupNorm.Epsilon), sqrt.Train().Values[0], 4);
    }
}
