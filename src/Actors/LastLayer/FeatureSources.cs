using Veil.Actors.Configuration;
using Veil.Actors.Training;
using Veil.Compute.Transfer;

namespace Veil.Actors.LastLayer;

/// <summary>The feature sources veil.last-layer.features can name: pixels, or the path of a backbone folder.</summary>
public static class FeatureSources
{
    /// <summary>Refuses a setting that names no feature source, before the run opens (nothing is read).</summary>
    public static void Check(string features)
    {
        if (features == "pixels" || File.Exists(Path.Combine(features, BackboneStore.ManifestFile))) return;
        throw NotASource(features);
    }

    /// <param name="data">The run's data when it is already open (pixels are then taken from it, not read again).</param>
    public static IFeatureSource Open(string features, TrainingSettings training, RunData? data = null)
    {
        if (features == "pixels") return data is null ? new PixelFeatureSource(training) : new PixelFeatureSource(data);
        if (File.Exists(Path.Combine(features, BackboneStore.ManifestFile))) return new BackboneFeatureSource(training, features, data: data);
        throw NotASource(features);
    }

    private static ConfigurationException NotASource(string features) =>
        new($"veil.last-layer.features = \"{features}\" is not a feature source: expected pixels or a backbone folder " +
            $"holding {BackboneStore.ManifestFile} (written by `./run.sh pretrain`, e.g. runs/<id>/backbone); pre-train one or fix the path");
}
