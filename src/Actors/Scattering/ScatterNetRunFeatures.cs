using Veil.Actors.Configuration;
using Veil.Compute.Models;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;

namespace Veil.Actors.Scattering;

/// <summary>
/// What a DP-SGD run of a scatternet catalog model (<see cref="ScatterNetInput"/>) trains and tests on: the scattering features of
/// its training and test images, each computed once (on first use, so after the run has opened and its budget was checked) by
/// <see cref="ScatterNetFeatureMap"/>, and cut into micro-batches by the examples' indices. The run's data scope, N and fingerprint
/// stay the images': the features are a deterministic function of them, so sampling and the ledger see exactly the same examples.
/// </summary>
internal sealed class ScatterNetRunFeatures
{
    private readonly Lazy<ImageDataset> _train;
    private readonly Lazy<ImageDataset> _test;
    private readonly Lazy<float[]> _trainFeatures;
    private readonly Lazy<float[]> _testFeatures;

    private ScatterNetRunFeatures(ScatterNetFeatureMap map, IImageSource train, IImageSource test)
    {
        _train = new Lazy<ImageDataset>(() => ImageSourceSnapshot.Of(train));
        _test = new Lazy<ImageDataset>(() => ImageSourceSnapshot.Of(test));
        Dimension = map.Dimension(train.Shape.Height);
        (TrainName, TestName) = ($"scatternet features of {train.Name}", $"scatternet features of {test.Name}");
        _trainFeatures = new Lazy<float[]>(() => map.Apply(_train.Value, out _));
        _testFeatures = new Lazy<float[]>(() => map.Apply(_test.Value, out _));
    }

    public int Dimension { get; }

    private string TrainName { get; }

    private string TestName { get; }

    /// <summary>Refuses what the transform or the model cannot take, naming the key and the fix, before anything is decoded or computed.</summary>
    /// <param name="keys">The keys that name the training and the test images (veil.data.path, or veil.data.source and test-source).</param>
    public static ScatterNetRunFeatures Of(TrainingSettings t, (string Train, string Test) keys, IImageSource train, IImageSource test)
    {
        ArgumentNullException.ThrowIfNull(t);
        var map = Map(t);
        foreach (var (key, data) in new[] { (keys.Train, train), (keys.Test, test) })
        {
            var shape = data.Shape;
            if (map.Refusal(data.Name, shape.Channels, shape.Height, shape.Width) is { } refusal)
                throw new ConfigurationException(
                    $"veil.model.name = {t.Model} {refusal} ({key}); point {key} at such images or pick a pixel model (tanh-cnn, mlp, gn-cnn)");
            if (shape.Height != ScatterNetInput.ImageSide)
                throw new ConfigurationException(
                    $"veil.model.name = {t.Model} takes the {string.Join(" × ", ScatterNetInput.Shape)} scattering of " +
                    $"{ScatterNetInput.ImageSide} × {ScatterNetInput.ImageSide} images, " +
                    $"but {key} = {data.Name} has {shape.Height} × {shape.Width} images; " +
                    $"point {key} at {ScatterNetInput.ImageSide} × {ScatterNetInput.ImageSide} images");
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
    /// Damaged examples cannot be skipped either: every example's features are computed before the first step.
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
        if (t.OnCorrupt != CorruptExamplePolicy.Fail)
            throw new ConfigurationException(
                $"veil.model.name = {t.Model} computes every example's features before the first step, so a damaged example cannot be skipped " +
                "mid-run; set veil.data.on-corrupt = fail and repair or remove the damaged files");
    }

    /// <summary>The training decoder; the features are computed on its first micro-batch (never on a cluster's coordinator, which decodes none).</summary>
    public IMicroBatchDecoder TrainDecoder() =>
        new FeatureMicroBatchDecoder(TrainName, Dimension, () => (_trainFeatures.Value, _train.Value.Labels));

    /// <summary>The first <paramref name="count"/> test examples' features, as one batch.</summary>
    public MicroBatchData TestBatch(int count) =>
        new FeatureMicroBatchDecoder(TestName, _testFeatures.Value, Dimension, _test.Value.Labels)
            .Decode(new MicroBatchSpec(new MicroBatchId(-1, 0), Enumerable.Range(0, Math.Min(count, _test.Value.Count)).ToArray()));
}
