using Veil.DataLoading.Datasets;
using Veil.DataLoading.Idx;

namespace Veil.Actors.Tests.Training;

/// <summary>A learnable synthetic dataset written as the four Fashion-MNIST IDX files in a temporary folder.</summary>
public sealed class SyntheticFashionMnist : IDisposable
{
    public SyntheticFashionMnist(int train = 1200, int test = 300, ulong seed = 5)
    {
        Directory.CreateDirectory(Folder);
        var splits = SyntheticImageDataset.CreateSplits(train, test, seed);
        IdxWriter.WriteDataset(splits.Train, Path.Combine(Folder, "train-images-idx3-ubyte.gz"), Path.Combine(Folder, "train-labels-idx1-ubyte.gz"));
        IdxWriter.WriteDataset(splits.Test, Path.Combine(Folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(Folder, "t10k-labels-idx1-ubyte.gz"));
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "veil-train-tests", Guid.NewGuid().ToString("N"));

    public string Runs => Path.Combine(Folder, "runs");

    public string Ledger => Path.Combine(Folder, "ledger.sqlite");

    /// <summary>--set arguments for a tiny, fast, reproducible run on this data.</summary>
    public string[] Settings(params string[] more) =>
    [
        "--set", $"veil.data.path={Folder}", "--set", $"veil.run.dir={Runs}", "--set", $"veil.privacy.ledger.path={Ledger}",
        "--set", "veil.model.name=mlp", "--set", "veil.run.seed=11", "--set", "veil.dp.expected-batch-size=200",
        "--set", "veil.dp.epochs=2", "--set", "veil.dp.clip-norm=1.0", "--set", "veil.optimizer.learning-rate=0.5",
        "--set", "veil.runtime.micro-batch-size=64", "--set", "veil.runtime.workers-per-device=2",
        .. more.SelectMany(m => new[] { "--set", m }),
    ];

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
