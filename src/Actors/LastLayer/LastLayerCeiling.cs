using System.Diagnostics;
using Veil.Actors.Configuration;
using Veil.Compute.LastLayer;
using Veil.Compute.Runtime;

namespace Veil.Actors.LastLayer;

/// <summary>
/// The non-private ceiling of a last-layer recipe for `bench accuracy`: the same features and feature map, a plain
/// ridge fit (<see cref="NonPrivateRidge"/>, the recipe's λ) with no noise. It touches private data without noise,
/// so nothing is saved or released and nothing is written to a ledger.
/// </summary>
public static class LastLayerCeiling
{
    public sealed record Result(double TestAccuracy, double WallSeconds, int Examples);

    public static Result Run(LastLayerSettings settings, TrainingSettings t)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var clock = Stopwatch.StartNew();
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(t.Runtime.ThreadsPerWorker > 0 ? t.Runtime.ThreadsPerWorker : Math.Max(1, Environment.ProcessorCount));
        var map = settings.Options().FeatureMap;
        var source = FeatureSources.Open(settings, t);
        var train = map.Apply(source.Train());
        var head = NonPrivateRidge.Fit(train, settings.Regularisation);
        return new Result(head.Accuracy(map.Apply(source.Test())), clock.Elapsed.TotalSeconds, train.Rows);
    }
}
