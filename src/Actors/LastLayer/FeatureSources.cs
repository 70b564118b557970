using Veil.Actors.Configuration;
using Veil.Actors.Training;
using Veil.Compute.Transfer;

namespace Veil.Actors.LastLayer;

/// <summary>The feature sources veil.last-layer.features can name: pixels, scatternet, or the path of a backbone folder.</summary>
public static class FeatureSources
{
    public static IFeatureSource Open(LastLayerSettings settings, TrainingSettings training)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var features = settings.Features;
        if (features == "scatternet") return new ScatterNetFeatureSource(training, settings.ScatterNet, settings.ValidationExamples);
        if (settings.ValidationExamples > 0)
            throw new ConfigurationException(
                $"veil.last-layer.validation-examples = {settings.ValidationExamples} is supported for features = scatternet only; set it to 0");
        if (features == "pixels") return new PixelFeatureSource(training);
        if (File.Exists(Path.Combine(features, BackboneStore.ManifestFile))) return new BackboneFeatureSource(training, features);
        throw new ConfigurationException($"veil.last-layer.features = \"{features}\" is not a feature source: expected pixels, scatternet or a backbone " +
            $"folder holding {BackboneStore.ManifestFile} (written by `./run.sh pretrain`, e.g. runs/<id>/backbone); pre-train one or fix the path");
    }
}
