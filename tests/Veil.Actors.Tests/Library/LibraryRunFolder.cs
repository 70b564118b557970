using Veil.Actors.Configuration;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;
using Config = Akka.Configuration.Config;

namespace Veil.Actors.Tests.Library;

/// <summary>A temporary folder with a ledger, a runs folder and small learnable synthetic splits, as a library caller would have them.</summary>
public sealed class LibraryRunFolder : IDisposable
{
    public LibraryRunFolder()
    {
        Directory.CreateDirectory(Folder);
        var splits = SyntheticImageDataset.CreateSplits(trainCount: 600, testCount: 200, seed: 7);
        Train = new InMemoryImageSource(splits.Train);
        Test = new InMemoryImageSource(splits.Test);
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "veil-library-tests", Guid.NewGuid().ToString("N"));

    public string Runs => Path.Combine(Folder, "runs");

    public string Ledger => Path.Combine(Folder, "ledger.sqlite");

    public InMemoryImageSource Train { get; }

    public InMemoryImageSource Test { get; }

    /// <summary>A tiny, fast run: 12 steps of an expected 100 examples, two workers (so replicas are built on several threads).</summary>
    public Config Config(params string[] more) => VeilConfiguration.Load(overrides:
    [
        $"veil.run.dir=\"{Runs}\"", $"veil.privacy.ledger.path=\"{Ledger}\"", "veil.dp.target-epsilon=3", "veil.dp.epochs=2",
        "veil.dp.expected-batch-size=100", "veil.dp.clip-norm=1", "veil.optimizer.learning-rate=0.5", "veil.runtime.micro-batch-size=64",
        "veil.runtime.workers-per-device=2", .. more,
    ]);

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
