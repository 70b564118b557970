using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;

namespace Veil.Actors.Tests.Training;

/// <summary>
/// A small learnable synthetic dataset (600 train, 200 test, 1×28×28 PNG) written with the DataLoading
/// writers as an image folder and as tar shards, in a temporary folder: what `veil data export` makes,
/// without exporting 60k Fashion-MNIST images.
/// </summary>
public sealed class SyntheticImageSources : IDisposable
{
    public SyntheticImageSources(int train = 600, int test = 200, ulong seed = 7)
    {
        Directory.CreateDirectory(Folder);
        var splits = SyntheticImageDataset.CreateSplits(train, test, seed);
        ImageFolderWriter.Write(splits.Train, TrainFolder, ImageFileFormat.Png);
        ImageFolderWriter.Write(splits.Test, TestFolder, ImageFileFormat.Png);
        TarShardWriter.Write(splits.Train, Path.Combine(Folder, "shards"), shardSize: 250, ImageFileFormat.Png, prefix: "train");
        TarShardWriter.Write(splits.Test, Path.Combine(Folder, "shards"), shardSize: 250, ImageFileFormat.Png, prefix: "test");
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "veil-source-tests", Guid.NewGuid().ToString("N"));

    public string TrainFolder => Path.Combine(Folder, "folder", "train");

    public string TestFolder => Path.Combine(Folder, "folder", "test");

    /// <summary>Three shards of the training split, as a brace range.</summary>
    public string TrainShards => Path.Combine(Folder, "shards", "train-{000000..000002}.tar");

    public string TestShards => Path.Combine(Folder, "shards", "test-*.tar");

    public string Ledger => Path.Combine(Folder, "ledger.sqlite");

    /// <summary>--set arguments for a tiny, fast, reproducible run (6 steps: 1 epoch of 600 at L = 100) on <paramref name="source"/>.</summary>
    public string[] Settings(string source, string testSource, params string[] more) =>
    [
        // Quoted: globs and brace ranges hold characters HOCON does not allow in unquoted strings.
        "--set", $"veil.data.source=\"{source}\"", "--set", $"veil.data.test-source=\"{testSource}\"",
        "--set", $"veil.run.dir={Path.Combine(Folder, "runs")}", "--set", $"veil.privacy.ledger.path={Ledger}",
        "--set", "veil.model.name=mlp", "--set", "veil.run.seed=11", "--set", "veil.dp.expected-batch-size=100",
        "--set", "veil.dp.epochs=1", "--set", "veil.dp.clip-norm=1.0", "--set", "veil.optimizer.learning-rate=0.5",
        "--set", "veil.runtime.micro-batch-size=32", "--set", "veil.runtime.workers-per-device=2",
        .. more.SelectMany(m => new[] { "--set", m }),
    ];

    /// <summary>The content fingerprint the ledger should key the run on.</summary>
    public static string FingerprintOf(string source)
    {
        using var opened = ImageSources.Open(source);
        return opened.Fingerprint;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
