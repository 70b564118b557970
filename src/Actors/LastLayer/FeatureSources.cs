using Veil.Actors.Configuration;
using Veil.Actors.Training;
using Veil.Compute.Transfer;

namespace Veil.Actors.LastLayer;

/// <summary>The feature sources veil.last-layer.features can name: pixels, or the path of a backbone folder.</summary>
public static class FeatureSources
{
    public static IFeatureSource Open(string features, TrainingSettings training)
    {
        if (features == "pixels") return new PixelFeatureSource(training);
        if (File.Exists(Path.Combine(features, BackboneStore.ManifestFile))) return new BackboneFeatureSource(training, features);
        throw new ConfigurationException($"veil.last-layer.features = \"{features}\" is not a feature source: expected pixels or a backbone folder " +
            $"holding {BackboneStore.ManifestFile} (written by `./run.sh pretrain`, e.g. runs/<id>/backbone); pre-train one or fix the path");
    }
}
