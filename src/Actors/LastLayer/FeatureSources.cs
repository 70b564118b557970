using Veil.Actors.Configuration;
using Veil.Actors.Training;
using Veil.Compute.Scattering;
using Veil.Compute.Transfer;

namespace Veil.Actors.LastLayer;

/// <summary>The feature sources veil.last-layer.features can name: pixels, scatternet, or the path of a backbone folder.</summary>
public static class FeatureSources
{
    /// <summary>Refuses settings that name no feature source, before the run opens (nothing is read).</summary>
    public static void Check(LastLayerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var features = settings.Features;
        if (settings.ValidationExamples > 0 && features != "scatternet")
            throw new ConfigurationException(
                $"veil.last-layer.validation-examples = {settings.ValidationExamples} is supported for features = scatternet only; set it to 0");
        var viewKey = settings.FlipViews ? "sgd.flip-views = true" : settings.ShiftViews > 0 ? $"sgd.shift-views = {settings.ShiftViews}"
            : settings.TestTimeFlip ? "test-time-flip = true"
            : settings.TestTimeShift > 0 ? $"test-time-shift = {settings.TestTimeShift}" : null;
        if (viewKey is not null && features != "scatternet")
            throw new ConfigurationException(
                $"veil.last-layer.{viewKey} needs the features of other views of each image, which only features = scatternet computes " +
                $"(features = \"{features}\"); turn it off or use features = scatternet");
        if ((settings.FlipViews || settings.ShiftViews > 0) && settings.Method is not ("dp-sgd-last-layer" or "dp-fc"))
            throw new ConfigurationException(
                $"veil.last-layer.sgd.{(settings.FlipViews ? "flip-views" : "shift-views")} averages per-example SGD gradients, but " +
                $"veil.last-layer.method = {settings.Method} takes no SGD step; turn it off or use method = dp-sgd-last-layer (or dp-fc)");
        if (features is "pixels" or "scatternet" || File.Exists(Path.Combine(features, BackboneStore.ManifestFile))) return;
        throw new ConfigurationException($"veil.last-layer.features = \"{features}\" is not a feature source: expected pixels, scatternet or a backbone " +
            $"folder holding {BackboneStore.ManifestFile} (written by `./run.sh pretrain`, e.g. runs/<id>/backbone); pre-train one or fix the path");
    }

    /// <summary>
    /// The configured source. Pixels and scatternet compute nothing until asked (<see cref="IFeatureSource.Train"/>); a backbone
    /// extracts its features here, so a private run opens it only after the lifecycle has checked the run.
    /// </summary>
    /// <param name="data">The run's data when it is already open (not read again).</param>
    public static IFeatureSource Open(LastLayerSettings settings, TrainingSettings training, RunData? data = null)
    {
        Check(settings);
        return settings.Features switch
        {
            "scatternet" => new ScatterNetFeatureSource(training, settings.ScatterNet, settings.ValidationExamples,
                trainViews: Views(settings.FlipViews, settings.ShiftViews), testViews: Views(settings.TestTimeFlip, settings.TestTimeShift)),
            "pixels" => data is null ? new PixelFeatureSource(training) : new PixelFeatureSource(data),
            var backbone => new BackboneFeatureSource(training, backbone, data: data),
        };
    }

    /// <summary>The mirror image when <paramref name="mirror"/>, then the four shifts by <paramref name="shift"/> pixels when it is &gt; 0.</summary>
    private static ImageView[] Views(bool mirror, int shift) =>
        [.. mirror ? [ImageView.Mirrored] : Array.Empty<ImageView>(), .. shift > 0 ? ImageView.Shifts(shift) : []];
}
