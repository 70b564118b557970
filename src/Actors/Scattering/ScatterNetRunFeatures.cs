using Veil.Actors.Configuration;
using Veil.Compute.Models;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Datasets;

namespace Veil.Actors.Scattering;

/// <summary>
/// What a DP-SGD run of a scatternet catalog model (<see cref="ScatterNetInput"/>) trains and tests on: the scattering features of
/// its training and test images, each computed once (on first use, so after the run has opened and its budget was checked) by
/// <see cref="ScatterNetFeatureMap"/>, and cut into micro-batches by the examples' indices. The run's data scope, N and fingerprint
/// stay the images': the features are a deterministic function of them, so sampling and the ledger see exactly the same examples.
/// </summary>
internal sealed class ScatterNetRunFeatures
{
    private readonly ImageDataset _train;
    private readonly ImageDataset _test;
    private readonly Lazy<float[]> _trainFeatures;
    private readonly Lazy<float[]> _testFeatures;

    private ScatterNetRunFeatures(ScatterNetFeatureMap map, ImageDataset train, ImageDataset test)
    {
        (_train, _test) = (train, test);
        Dimension = map.Dimension(train.Height);
        _trainFeatures = new Lazy<float[]>(() => map.Apply(train, out _));
        _testFeatures = new Lazy<float[]>(() => map.Apply(test, out _));
    }

    public int Dimension { get; }

    /// <summary>Refuses what the transform cannot take, naming the key and the fix, before anything is computed.</summary>
    /// <param name="dataKey">The key that names the images (veil.data.path).</param>
    public static ScatterNetRunFeatures Of(TrainingSettings t, string dataKey, ImageDataset train, ImageDataset test)
    {
        ArgumentNullException.ThrowIfNull(t);
        var map = Map(t);
        foreach (var data in new[] { train, test })
        {
            if (map.Refusal(data) is { } refusal)
                throw new ConfigurationException(
                    $"veil.model.name = {t.Model} {refusal} ({dataKey}); point {dataKey} at such images or pick a pixel model (tanh-cnn, mlp, gn-cnn)");
            if (data.Height != ScatterNetInput.ImageSide)
                throw new ConfigurationException(
                    $"veil.model.name = {t.Model} takes the {string.Join(" × ", ScatterNetInput.Shape)} scattering of " +
                    $"{ScatterNetInput.ImageSide} × {ScatterNetInput.ImageSide} images, " +
                    $"but {dataKey} = {data.Name} has {data.Height} × {data.Width} images; " +
                    $"point {dataKey} at {ScatterNetInput.ImageSide} × {ScatterNetInput.ImageSide} images");
        }
        return new ScatterNetRunFeatures(map, train, test);
    }

    /// <summary>What a scatternet model takes for other 28 × 28 images of the run (an audit's canaries): their features, as the run's.</summary>
    public static float[] Inputs(TrainingSettings t, ImageDataset images) => Map(t).Apply(images, out _);

    private static ScatterNetFeatureMap Map(TrainingSettings t) =>
        new(new ScatterNetSettings(ScatterNetInput.Scales, ScatterNetInput.Angles, ScatterNetInput.Groups), Transfer.BackboneFeatures.DefaultCacheDirectory(t));

    /// <summary>
    /// Refuses settings that would change the images between steps: the features are computed once per image, and augmenting
    /// features is not defined (a crop or flip of the scattering coefficients is not the scattering of the cropped or flipped image).
    /// </summary>
    public static void RefuseAugmentation(TrainingSettings t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var set = new (string Key, bool Set)[]
        {
            ("veil.data.augment.flip", t.AugmentFlip), ("veil.data.augment.crop-padding", t.AugmentCropPadding != 0),
            ("veil.data.multiplicity", t.Multiplicity != 1),
        }.FirstOrDefault(k => k.Set).Key;
        if (set is not null)
            throw new ConfigurationException(
                $"veil.model.name = {t.Model} trains on scattering features computed once per image, and augmenting features is not defined; " +
                $"leave {set} at its default (augmentation off) or pick a pixel model (tanh-cnn, mlp, gn-cnn)");
        if (t.UsesImageSource)
            throw new ConfigurationException(
                $"veil.model.name = {t.Model} reads the Fashion-MNIST IDX files (veil.data.path), but veil.data.source = \"{t.Source}\" is set; " +
                "clear veil.data.source (and test-source), or pick a pixel model (tanh-cnn, mlp, gn-cnn)");
    }

    /// <summary>The training decoder; the features are computed on its first micro-batch (never on a cluster's coordinator, which decodes none).</summary>
    public IMicroBatchDecoder TrainDecoder() =>
        new FeatureMicroBatchDecoder($"scatternet features of {_train.Name}", _trainFeatures, Dimension, _train.Labels);

    /// <summary>The first <paramref name="count"/> test examples' features, as one batch.</summary>
    public MicroBatchData TestBatch(int count) =>
        new FeatureMicroBatchDecoder($"scatternet features of {_test.Name}", _testFeatures.Value, Dimension, _test.Labels)
            .Decode(new MicroBatchSpec(new MicroBatchId(-1, 0), Enumerable.Range(0, Math.Min(count, _test.Count)).ToArray()));
}
