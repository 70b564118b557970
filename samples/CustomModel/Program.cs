using Veil.Actors.Configuration;
using Veil.Actors.Library;
using Veil.Actors.Training;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;

namespace Veil.Samples.CustomModel;

/// <summary>
/// `dotnet run --project samples/CustomModel [-- --fashion-mnist]`: trains <see cref="SmallGnCnn"/> with DP-SGD on
/// synthetic 28×28 images (or Fashion-MNIST, when installed and asked for), with its ledger under a temporary folder,
/// and prints the test accuracy and the ε the ledger holds.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var folder = Path.Combine(Path.GetTempPath(), "veil-custom-model", Guid.NewGuid().ToString("N"));
        Run(folder, Console.Out, fashionMnist: args.Contains("--fashion-mnist"));
        return 0;
    }

    /// <summary>The whole integration: a configuration, a factory for the network, two sources, one call.</summary>
    public static TrainingResult Run(string folder, TextWriter output, bool fashionMnist = false)
    {
        var data = fashionMnist ? FashionMnist.Load() : SyntheticImageDataset.CreateSplits(trainCount: 1200, testCount: 300, seed: 5);
        var config = VeilConfiguration.Load(overrides:
        [
            "veil.dp.target-epsilon=3", "veil.dp.epochs=2", "veil.dp.expected-batch-size=200", "veil.dp.clip-norm=1", "veil.optimizer.learning-rate=0.5",
            $"veil.run.dir=\"{Path.Combine(folder, "runs")}\"", $"veil.privacy.ledger.path=\"{Path.Combine(folder, "ledger.sqlite")}\"",
        ]);
        var result = PrivateTraining.Run(config, model: seed => new SmallGnCnn(classes: 10, seed),
            train: new InMemoryImageSource(data.Train), test: new InMemoryImageSource(data.Test), log: output);
        output.WriteLine($"test accuracy {result.TestAccuracy:P2} at ε = {result.Epsilon:F3} (δ = {result.Delta:G3}), ledger {result.LedgerPath}");
        return result;
    }
}
