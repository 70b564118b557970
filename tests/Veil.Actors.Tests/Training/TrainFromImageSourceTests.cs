using Veil.Actors.Tests.Cli;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;
using Veil.Ledger.Store;
using Xunit;

namespace Veil.Actors.Tests.Training;

/// <summary>`train` on veil.data.source: image folders and PNG tar shards end to end, keyed on the source's content fingerprint.</summary>
[Collection(TrainingCollection.Name)]
public class TrainFromImageSourceTests : IDisposable
{
    private readonly SyntheticImageSources _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void Trains_from_png_tar_shards_and_keys_the_ledger_on_their_fingerprint() =>
        AssertTrainsOn(_data.TrainShards, _data.TestShards);

    [Fact]
    public void Trains_from_an_image_folder_and_keys_the_ledger_on_its_fingerprint() =>
        AssertTrainsOn(_data.TrainFolder, _data.TestFolder);

    [Fact]
    public void Multiplicity_two_with_flip_and_crop_padding_completes()
    {
        var run = CliRun.Of(["train", .. _data.Settings(_data.TrainShards, _data.TestFolder,
            "veil.data.multiplicity=2", "veil.data.augment.flip=true", "veil.data.augment.crop-padding=2"), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.Equal(6, run.Json.GetProperty("steps").GetInt64());
        Assert.Equal(6, run.Json.GetProperty("ledger_events").GetInt64());
        Assert.True(double.IsFinite(run.Json.GetProperty("test_accuracy").GetDouble()));
    }

    [Fact]
    public void A_source_whose_images_do_not_fit_the_model_is_refused_naming_the_key()
    {
        var wide = Path.Combine(_data.Folder, "rgb32");
        ImageFolderWriter.Write(SyntheticImageDataset.Create(40, seed: 3, channels: 3, height: 32, width: 32), wide, ImageFileFormat.Png);
        var run = CliRun.Of(["train", .. _data.Settings(wide, _data.TestFolder)]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("veil.data.source", run.Stderr);
        Assert.Contains("3×32×32", run.Stderr);
        Assert.Contains("1×28×28", run.Stderr);
        Assert.False(File.Exists(_data.Ledger) && LedgerEvents() > 0, "nothing may be released for a refused run");
    }

    [Fact]
    public void A_truncated_png_is_skipped_under_on_corrupt_skip_and_the_run_completes()
    {
        TruncateOneTrainingPng();
        // q = 1: every example is in every batch, so the damaged one is certainly met.
        var run = CliRun.Of(["train", .. _data.Settings(_data.TrainFolder, _data.TestFolder,
            "veil.data.on-corrupt=skip", "veil.dp.expected-batch-size=600", "veil.dp.epochs=2", "veil.dp.noise-multiplier=1.0"), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.Contains("2 damaged training example(s) were skipped", run.Stdout);
        Assert.Equal(run.Json.GetProperty("steps").GetInt64(), LedgerEvents());
    }

    [Fact]
    public void A_truncated_png_stops_the_run_naming_the_file_under_on_corrupt_fail()
    {
        var victim = TruncateOneTrainingPng();
        var run = CliRun.Of(["train", .. _data.Settings(_data.TrainFolder, _data.TestFolder,
            "veil.dp.expected-batch-size=600", "veil.dp.epochs=2", "veil.dp.noise-multiplier=1.0")]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(Path.GetFileName(victim), run.Stderr);
    }

    [Fact]
    public void A_resumed_run_re_releases_the_steps_after_its_checkpoint_with_fresh_batches_and_noise()
    {
        // Steps 4 and 5 were released (they are in the ledger) when the run is sent back to its checkpoint after step 4.
        // Redoing them with the same batch and noise would make two releases that differ by a noise-free amount,
        // which no accountant models; each re-release must be a new, independent subsampled Gaussian.
        var run = CliRun.Of(["train", .. _data.Settings(_data.TrainShards, _data.TestShards, "veil.data.multiplicity=2", "veil.data.augment.flip=true",
            "veil.data.augment.crop-padding=2", "veil.runtime.workers-per-device=1", "veil.checkpoint.every-steps=2"), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var runDir = run.Json.GetProperty("run_dir").GetString()!;
        var finished = File.ReadAllBytes(Path.Combine(runDir, "parameters.f32"));
        File.Delete(new Veil.Actors.Checkpoints.CheckpointStore(Path.Combine(runDir, "checkpoints"), 3).Files()[0]); // back to step 4

        var resumed = CliRun.Of("train", "--resume", runDir, "--json");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr + resumed.Stdout);
        Assert.Equal(4, resumed.Json.GetProperty("resumed_from_step").GetInt64());
        Assert.Equal(8, resumed.Json.GetProperty("ledger_events").GetInt64()); // 6 + the 2 re-released, each counted
        var a = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(finished).ToArray();
        var b = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(runDir, "parameters.f32"))).ToArray();
        // Redrawing the same batches, views and noise ends within float rounding (≈1e-8) of the first ending; fresh
        // draws move the parameters by ≈1e-2.
        var largest = a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(largest > 1e-4, $"the re-released steps end only {largest} away from their first release: the same batches and noise were drawn again");
    }

    private void AssertTrainsOn(string source, string testSource)
    {
        var run = CliRun.Of(["train", .. _data.Settings(source, testSource), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var json = run.Json;
        Assert.Equal(6, json.GetProperty("steps").GetInt64()); // ⌈1 epoch · 600 / 100⌉
        Assert.Equal(6, json.GetProperty("ledger_events").GetInt64());
        Assert.Equal(6, LedgerEvents());
        Assert.Equal(SyntheticImageSources.FingerprintOf(source), json.GetProperty("dataset_fingerprint").GetString());
        Assert.True(json.GetProperty("test_accuracy").GetDouble() > 0.3, $"accuracy {json.GetProperty("test_accuracy")} (chance is 0.1)");
    }

    private long LedgerEvents()
    {
        using var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false);
        Assert.True(store.Verify().Valid);
        return store.ReadAll().Count;
    }

    private string TruncateOneTrainingPng()
    {
        var victim = Directory.GetFiles(_data.TrainFolder, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Skip(5).First();
        var bytes = File.ReadAllBytes(victim);
        File.WriteAllBytes(victim, bytes[..(bytes.Length / 2)]);
        return victim;
    }
}
