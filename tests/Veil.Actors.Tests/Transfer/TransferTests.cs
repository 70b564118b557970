using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Veil.Compute.Transfer;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Idx;
using Veil.DataLoading.PublicPrivate;
using Veil.Ledger.Store;
using Xunit;
using static Veil.Actors.Tests.Transfer.TinyPretraining;

namespace Veil.Actors.Tests.Transfer;

/// <summary>Public pre-training then private fine-tuning, end to end through the CLI, on small synthetic data.</summary>
[Collection(TrainingCollection.Name)]
public class TransferTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void Pretraining_writes_no_ledger_event_and_saves_a_backbone()
    {
        var backbone = Pretrain(_data, Subset);
        Assert.False(File.Exists(_data.Ledger), "pretrain must not open the ledger");
        var loaded = BackboneStore.Load(backbone);
        Assert.Equal("mlp", loaded.Manifest.Architecture);
        Assert.Equal(32, loaded.Manifest.FeatureDimension);
        var train = IdxImageDataset.Load("t", Path.Combine(_data.Folder, "train-images-idx3-ubyte.gz"), Path.Combine(_data.Folder, "train-labels-idx1-ubyte.gz"), 10);
        var test = IdxImageDataset.Load("t", Path.Combine(_data.Folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(_data.Folder, "t10k-labels-idx1-ubyte.gz"), 10);
        var parts = PublicPrivateSplitter.Split(train, test, new SubsetSplit(400, 2));
        Assert.Equal(DatasetFingerprint.Of(parts.PublicTrain), loaded.Manifest.PublicDataFingerprint);
    }

    [Fact]
    public void Pretraining_with_augmentation_trains_on_augmented_views_and_reports_them()
    {
        var run = CliRun.Of(["pretrain", .. _data.Settings([.. Subset, "veil.pretrain.epochs=1", "veil.pretrain.batch-size=100",
            "veil.pretrain.augment.flip=true", "veil.pretrain.augment.crop-padding=2"]), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.Contains("augmented (flip True, crop-padding 2)", run.Stdout);
        Assert.True(run.Json.GetProperty("augment_flip").GetBoolean());
        Assert.Equal(2, run.Json.GetProperty("augment_crop_padding").GetInt32());
        Assert.False(File.Exists(_data.Ledger), "pretrain must not open the ledger");
    }

    [Fact]
    public void A_selection_run_trains_without_its_held_out_examples_and_reports_no_test_figure()
    {
        var run = CliRun.Of(["pretrain", .. _data.Settings([.. Subset, "veil.pretrain.epochs=1", "veil.pretrain.batch-size=100",
            "veil.pretrain.validation-examples=100", $"veil.pretrain.copy-to=\"{Path.Combine(_data.Folder, "copy").Replace('\\', '/')}\""]), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var json = run.Json;
        Assert.Equal(300, json.GetProperty("public_examples").GetInt32());
        Assert.Equal(100, json.GetProperty("validation_examples").GetInt32());
        Assert.InRange(json.GetProperty("validation_accuracy").GetDouble(), 0, 1);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.GetProperty("test_accuracy").ValueKind);
        Assert.False(Directory.Exists(Path.Combine(_data.Folder, "copy")), "a selection run's backbone must not replace the recipe's (veil.pretrain.copy-to)");
        // The backbone records the 300 examples it saw, not the 400 of the public split.
        var loaded = BackboneStore.Load(json.GetProperty("backbone").GetString()!);
        Assert.Equal(json.GetProperty("public_data_fingerprint").GetString(), loaded.Manifest.PublicDataFingerprint);
        var train = IdxImageDataset.Load("t", Path.Combine(_data.Folder, "train-images-idx3-ubyte.gz"), Path.Combine(_data.Folder, "train-labels-idx1-ubyte.gz"), 10);
        var test = IdxImageDataset.Load("t", Path.Combine(_data.Folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(_data.Folder, "t10k-labels-idx1-ubyte.gz"), 10);
        var all = PublicPrivateSplitter.Split(train, test, new SubsetSplit(400, 2)).PublicTrain;
        Assert.NotEqual(DatasetFingerprint.Of(all), loaded.Manifest.PublicDataFingerprint);
    }

    [Fact]
    public void Holding_out_every_public_example_is_refused_naming_the_key()
    {
        var run = CliRun.Of(["pretrain", .. _data.Settings([.. Subset, "veil.pretrain.validation-examples=400"])]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("veil.pretrain.validation-examples", run.Stderr);
    }

    [Fact]
    public void Pretraining_without_a_public_split_is_refused_naming_the_key()
    {
        var run = CliRun.Of(["pretrain", .. _data.Settings()]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("veil.public.split", run.Stderr);
    }

    [Fact]
    public void Dp_fine_tuning_keeps_frozen_parameters_bit_identical_and_spends_on_the_private_set_only()
    {
        var backbone = Pretrain(_data, Subset);
        var run = CliRun.Of(["train", .. _data.Settings([.. Subset, $"veil.init.from={backbone}", "veil.init.trainable=last-layer"]), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var json = run.Json;
        var runDir = json.GetProperty("run_dir").GetString()!;
        var before = BackboneStore.Load(backbone);
        var after = BackboneStore.Load(Path.Combine(runDir, "model"));
        Assert.Equal(before.Manifest.Parameters.Select(p => p.Name), after.Manifest.Parameters.Select(p => p.Name));
        long offset = 0;
        foreach (var p in before.Manifest.Parameters)
        {
            long n = p.Shape.Aggregate(1L, (a, b) => a * b);
            var old = before.Weights.AsSpan((int)offset, (int)n);
            var now = after.Weights.AsSpan((int)offset, (int)n);
            if (p.Name.StartsWith("fc2.", StringComparison.Ordinal)) Assert.False(old.SequenceEqual(now), $"{p.Name} (the head) was not trained");
            else Assert.True(old.SequenceEqual(now), $"frozen {p.Name} changed during DP fine-tuning");
            offset += n;
        }
        // Only the head (32·10 + 10 values) was clipped, noised and released.
        Assert.Equal(330 * sizeof(float), new FileInfo(Path.Combine(runDir, "parameters.f32")).Length);
        // The ledger charges the private part (800 examples), never the whole training split.
        Assert.Equal(800, (int)Math.Round(json.GetProperty("expected_batch_size").GetInt64() / json.GetProperty("sampling_rate").GetDouble()));
        using var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false);
        var keys = store.ReadAll().Select(r => r.DatasetFingerprint).Distinct().ToArray();
        Assert.Equal([json.GetProperty("data_scope").GetString()!], keys);
        Assert.Equal(800, store.ReadScope(keys[0])!.Count);
    }

    [Fact]
    public void A_class_split_fine_tunes_a_new_head_for_the_private_classes()
    {
        var backbone = Pretrain(_data, Classes);
        var run = CliRun.Of(["train", .. _data.Settings([.. Classes, $"veil.init.from={backbone}", "veil.init.trainable=all", "veil.dp.epochs=4"]), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var model = BackboneStore.Load(Path.Combine(run.Json.GetProperty("run_dir").GetString()!, "model"));
        Assert.Equal(new long[] { 5 }, model.Manifest.Parameters.Single(p => p.Name == "fc2.bias").Shape);
        Assert.True(run.Json.GetProperty("test_accuracy").GetDouble() > 0.3, $"accuracy {run.Json.GetProperty("test_accuracy")} on 5 private classes (chance 0.2)");
    }

    [Fact]
    public void A_backbone_of_another_architecture_is_refused_before_any_privacy_is_spent()
    {
        var backbone = Pretrain(_data, Subset);
        var run = CliRun.Of(["train", .. _data.Settings([.. Subset, $"veil.init.from={backbone}", "veil.model.name=tanh-cnn"])]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("veil.model.name", run.Stderr);
        Assert.Contains("mlp", run.Stderr);
        if (!File.Exists(_data.Ledger)) return;
        using var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false);
        Assert.Empty(store.ReadAll());
    }

    [Fact]
    public void Backbone_features_of_the_private_set_are_cached_and_reused()
    {
        var backbone = Pretrain(_data, Subset);
        var args = _data.Settings(Subset);
        var overrides = Enumerable.Range(0, args.Length / 2).Select(i => args[2 * i + 1]).ToArray();
        var t = Veil.Actors.Configuration.TrainingSettings.Create(Veil.Actors.Configuration.VeilConfiguration.Load(overrides: overrides));
        var cache = Path.Combine(_data.Folder, "features");
        var (train, test) = new Veil.Actors.Transfer.BackboneFeatures(t, backbone, cache).Extract();
        Assert.False(train.FromCache);
        Assert.Equal(800, train.Count);
        Assert.Equal(32, train.Dimension);
        Assert.Equal(800 * 32, train.Values.Length);
        Assert.Equal(300, test.Count);
        var (again, testAgain) = new Veil.Actors.Transfer.BackboneFeatures(t, backbone, cache).Extract();
        Assert.True(again.FromCache);
        Assert.True(testAgain.FromCache);
        Assert.Equal(train.Values, again.Values);
        Assert.Equal(train.DatasetFingerprint, again.DatasetFingerprint);
        Assert.NotEqual(train.DatasetFingerprint, test.DatasetFingerprint);
        Assert.False(File.Exists(_data.Ledger), "extracting features releases nothing");
    }

    [Fact]
    public void A_fine_tuning_run_resumes_with_its_backbone_and_refuses_a_changed_one()
    {
        var backbone = Pretrain(_data, Subset);
        var run = CliRun.Of(["train", .. _data.Settings([.. Subset, $"veil.init.from={backbone}", "veil.init.trainable=last-block", "veil.checkpoint.every-steps=3"]), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var runDir = run.Json.GetProperty("run_dir").GetString()!;
        var newest = new Veil.Actors.Checkpoints.CheckpointStore(Path.Combine(runDir, "checkpoints"), 3).Files()[0];
        var bytes = File.ReadAllBytes(newest);
        bytes[100] ^= 0xFF;
        File.WriteAllBytes(newest, bytes);
        var resumed = CliRun.Of("train", "--resume", runDir, "--json");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr + resumed.Stdout);
        Assert.True(resumed.Json.GetProperty("resumed_from_step").GetInt64() > 0);

        // Another backbone in the same folder: the run's frozen weights would differ, so it must not resume.
        using (var other = Veil.Compute.Models.ModelCatalog.Create("mlp", 99))
            BackboneStore.Save(backbone, other, "other", "other", BackboneStore.Load(backbone).Manifest.Preprocessing);
        var refused = CliRun.Of("train", "--resume", runDir);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("backbone", refused.Stderr);
    }
}
