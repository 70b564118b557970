using Veil.Actors.Configuration;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Idx;
using Veil.DataLoading.Sources;

namespace Veil.Integration.Tests.Support;

/// <summary>A small learnable synthetic dataset (as Fashion-MNIST IDX files) in a temporary folder, and the settings of a tiny reproducible run on it.</summary>
public sealed class ClusterTestData : IDisposable
{
    public ClusterTestData(int train = 1200, int test = 200, ulong seed = 5)
    {
        Directory.CreateDirectory(Folder);
        var splits = SyntheticImageDataset.CreateSplits(train, test, seed);
        IdxWriter.WriteDataset(splits.Train, Path.Combine(Folder, "train-images-idx3-ubyte.gz"), Path.Combine(Folder, "train-labels-idx1-ubyte.gz"));
        IdxWriter.WriteDataset(splits.Test, Path.Combine(Folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(Folder, "t10k-labels-idx1-ubyte.gz"));
        _splits = splits;
    }

    private readonly DatasetSplits _splits;

    /// <summary>The same examples as PNG class folders (written on first use): a veil.data.source, which is what augmentation applies to.</summary>
    public (string Train, string Test) ImageFolders()
    {
        var train = Path.Combine(Folder, "png-train");
        var test = Path.Combine(Folder, "png-test");
        if (!Directory.Exists(train))
        {
            ImageFolderWriter.Write(_splits.Train, train, ImageFileFormat.Png);
            ImageFolderWriter.Write(_splits.Test, test, ImageFileFormat.Png);
        }
        return (train, test);
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "veil-cluster-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The configuration of one node (or of the single-node reference run, whose cluster keys are ignored).</summary>
    public Akka.Configuration.Config Config(string runs, string ledger, params IEnumerable<string> more) => VeilConfiguration.Load(overrides: Overrides(runs, ledger, more));

    /// <summary>The same settings as `--set` values, for a run in another process.</summary>
    public string[] Overrides(string runs, string ledger, params IEnumerable<string> more) =>
    [
        $"veil.data.path=\"{Folder}\"", $"veil.run.dir=\"{runs}\"", $"veil.privacy.ledger.path=\"{ledger}\"",
        // The cluster and the single-node reference must draw the same batches and noise to be compared: a fixed
        // (insecure) private seed, and one identity key, so both ledgers name the data scope alike.
        "veil.model.name=mlp", "veil.run.seed=11", "veil.run.insecure-private-seed=11", $"veil.privacy.ledger.identity-key=\"{Path_("identity.key")}\"",
        "veil.dp.expected-batch-size=200", "veil.dp.epochs=1",
        "veil.dp.clip-norm=1.0", "veil.dp.noise-multiplier=1.0", "veil.optimizer.learning-rate=0.5",
        "veil.runtime.micro-batch-size=32", "veil.runtime.threads-per-worker=1", "veil.checkpoint.every-steps=1",
        "veil.cluster.down-after-seconds=2", "veil.cluster.heartbeat-pause-seconds=2", "veil.cluster.chunk-bytes=65536",
        .. more,
    ];

    public string Path_(string name) => Path.Combine(Folder, name);

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
