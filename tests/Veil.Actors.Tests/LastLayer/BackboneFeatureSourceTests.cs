using System.Text.Json;
using Veil.Actors.Configuration;
using Veil.Actors.LastLayer;
using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Veil.Compute.Models;
using Veil.Compute.Transfer;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Idx;
using Veil.DataLoading.PublicPrivate;
using Veil.Ledger.Store;
using Xunit;
using static Veil.Actors.Tests.Transfer.TinyPretraining;

namespace Veil.Actors.Tests.LastLayer;

/// <summary>veil.last-layer.features = a backbone folder: a private head on pre-trained features of the private split only.</summary>
[Collection(TrainingCollection.Name)]
public class BackboneFeatureSourceTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();

    public void Dispose() => _data.Dispose();

    private string[] LastLayer(string backbone, string[] split, params string[] more) =>
        _data.Settings([.. split, "veil.mode=last-layer", "veil.last-layer.method=dp-least-squares", "veil.last-layer.regularisation=20",
            $"veil.last-layer.features={backbone}", .. more]);

    private TrainingSettings Settings(params string[] split)
    {
        var args = _data.Settings(split);
        return TrainingSettings.Create(VeilConfiguration.Load(overrides: Enumerable.Range(0, args.Length / 2).Select(i => args[2 * i + 1]).ToArray()));
    }

    private PublicPrivateData Parts(PublicSplit split)
    {
        var train = IdxImageDataset.Load("t", Path.Combine(_data.Folder, "train-images-idx3-ubyte.gz"), Path.Combine(_data.Folder, "train-labels-idx1-ubyte.gz"), 10);
        var test = IdxImageDataset.Load("t", Path.Combine(_data.Folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(_data.Folder, "t10k-labels-idx1-ubyte.gz"), 10);
        return PublicPrivateSplitter.Split(train, test, split);
    }

    [Fact]
    public void A_last_layer_run_on_backbone_features_records_its_releases_under_the_private_scope()
    {
        var backbone = Pretrain(_data, Subset);
        var run = CliRun.Of(["train", .. LastLayer(backbone, Subset), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var json = run.Json;
        var privateFingerprint = DatasetFingerprint.Of(Parts(new SubsetSplit(400, 2)).PrivateTrain);
        Assert.Equal(privateFingerprint, json.GetProperty("dataset_fingerprint").GetString());
        using (var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false))
        {
            var records = store.ReadAll();
            Assert.Equal(2, records.Count); // XᵀX and Xᵀy
            var scope = json.GetProperty("data_scope").GetString()!;
            Assert.All(records, r => Assert.Equal(scope, r.DatasetFingerprint));
            Assert.Equal(800, store.ReadScope(scope)!.Count); // the private examples only
        }
        Assert.NotEqual(BackboneStore.Load(backbone).Manifest.PublicDataFingerprint, privateFingerprint);
        using var plan = JsonDocument.Parse(File.ReadAllText(Path.Combine(json.GetProperty("run_dir").GetString()!, "plan.json")));
        Assert.Equal(800, plan.RootElement.GetProperty("plan").GetProperty("dataset_size").GetInt32()); // 1200 − 400 public
        Assert.Equal(32 + 1, json.GetProperty("dimension").GetInt32()); // mlp features + bias
        Assert.True(json.GetProperty("test_accuracy").GetDouble() > 0.3, $"accuracy {json.GetProperty("test_accuracy")} (chance is 0.1)");
    }

    [Fact]
    public void Backbone_features_are_those_of_the_private_examples_only_and_are_reused_from_the_cache()
    {
        var backbone = Pretrain(_data, Subset);
        var t = Settings(Subset);
        var parts = Parts(new SubsetSplit(400, 2));
        var first = new BackboneFeatureSource(t, backbone);
        Assert.False(first.FromCache);
        var train = first.Train();
        Assert.Equal(parts.PrivateTrain.Count, train.Count);
        Assert.Equal(parts.PrivateTrain.Labels.Select(l => (int)l), train.Labels);
        Assert.Equal(DatasetFingerprint.Of(parts.PrivateTrain), train.DatasetFingerprint);
        Assert.Equal(300, first.Test().Count);

        var second = new BackboneFeatureSource(t, backbone);
        Assert.True(second.FromCache, "the second source must read the cached features");
        Assert.Equal(train.Values, second.Train().Values);
        Assert.Equal(first.Fingerprint, second.Fingerprint);
        Assert.Contains("cached", second.Description);
        Assert.False(File.Exists(_data.Ledger), "extracting features releases nothing");
    }

    [Fact]
    public void A_class_split_gives_features_of_the_private_classes_relabelled()
    {
        var backbone = Pretrain(_data, Classes);
        var source = new BackboneFeatureSource(Settings(Classes), backbone);
        var parts = Parts(new ClassSplit([0, 1, 2, 3, 4]));
        var train = source.Train();
        Assert.Equal(5, train.Classes);
        Assert.Equal(parts.PrivateTrain.Count, train.Count);
        Assert.Equal(parts.PrivateTrain.Labels.Select(l => (int)l), train.Labels);
        Assert.All(source.Test().Labels, l => Assert.InRange(l, 0, 4));
    }

    [Fact]
    public void A_backbone_pre_trained_on_the_private_examples_is_refused_before_any_release()
    {
        var privateFingerprint = DatasetFingerprint.Of(Parts(new SubsetSplit(400, 2)).PrivateTrain);
        var backbone = Path.Combine(_data.Folder, "leaky-backbone");
        using (var model = ModelCatalog.Create("mlp", 3))
            BackboneStore.Save(backbone, model, privateFingerprint, "the private examples", new BackbonePreprocessing(0.286f, 0.353f));
        var run = CliRun.Of(["train", .. LastLayer(backbone, Subset)]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("does not record which examples it was trained on", run.Stderr); // so it cannot be shown to be public
        Assert.False(File.Exists(_data.Ledger) && SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false) is var s && s.ReadAll().Count > 0, "nothing may be released");
    }

    [Fact]
    public void A_features_path_that_is_not_a_backbone_is_an_error_naming_the_key()
    {
        var run = CliRun.Of(["train", .. LastLayer(Path.Combine(_data.Folder, "no-such-backbone"), Subset)]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("veil.last-layer.features", run.Stderr);
        Assert.Contains("pretrain", run.Stderr);
    }

    [Fact]
    public void Pixel_features_under_a_public_split_are_those_of_the_private_examples_only()
    {
        var parts = Parts(new SubsetSplit(400, 2));
        var train = new PixelFeatureSource(Settings(Subset)).Train();
        Assert.Equal(parts.PrivateTrain.Count, train.Count);
        Assert.Equal(DatasetFingerprint.Of(parts.PrivateTrain), train.DatasetFingerprint);
    }
}
