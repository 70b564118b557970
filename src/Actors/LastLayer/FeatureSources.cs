using Veil.Actors.Configuration;
using Veil.Actors.Training;

namespace Veil.Actors.LastLayer;

/// <summary>The feature sources veil.last-layer.features can name.</summary>
public static class FeatureSources
{
    public static IReadOnlyList<string> Names { get; } = ["pixels"];

    public static IFeatureSource Open(string features, TrainingSettings training) => features switch
    {
        "pixels" => new PixelFeatureSource(training),
        _ => throw new ConfigurationException($"veil.last-layer.features = \"{features}\" is not a feature source; expected one of {string.Join(", ", Names)}"),
    };
}
