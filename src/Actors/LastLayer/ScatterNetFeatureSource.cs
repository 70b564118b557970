using System.Security.Cryptography;
using System.Text;
using Veil.Actors.Configuration;
using Veil.Actors.PrivateRuns;
using Veil.Actors.Training;
using Veil.Compute.LastLayer;
using Veil.Compute.Runtime;
using Veil.Compute.Scattering;
using Veil.Compute.Transfer;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.PublicPrivate;

namespace Veil.Actors.LastLayer;

/// <summary>
/// ScatterNet features (veil.last-layer.features = scatternet; Tramèr and Boneh 2021): the order-2 wavelet scattering
/// transform of each image's pixels in [0, 1] (<see cref="ScatteringTransform"/>; 81 × 7 × 7 for Fashion-MNIST at
/// J = 2, L = 8), group-normalised per example (<see cref="ScatteringGroupNorm"/>), flattened. The map is fixed and
/// uses no data, so neither computing it nor normalising spends privacy; features are cached by (map, data) under
/// runs/feature-cache. The data are the run's PRIVATE examples (veil.public honoured, as for pixels).
/// With flip views (training) or test-time flips, the same transform of each image's horizontal mirror image is attached to
/// the training or test features (cached the same way): a view of the same example, computed without data, spends nothing.
/// With veil.last-layer.validation-examples = V &gt; 0 this is a selection run instead: it trains on the PUBLIC subset
/// less V of its examples and scores the V held out, touching no private example (<see cref="PublicTuning"/>).
/// </summary>
public sealed class ScatterNetFeatureSource : IFeatureSource
{
    private const string MapVersion = "scatternet/v1";
    private const ulong ValidationSeed = 1;
    private readonly ImageDataset _train;
    private readonly ImageDataset _test;
    private readonly string _datasetFingerprint;
    private readonly ScatterNetSettings _settings;
    private readonly FeatureCache _cache;
    private readonly string _mapFingerprint;
    private readonly bool _mirrorTrain;
    private readonly bool _mirrorTest;

    public ScatterNetFeatureSource(TrainingSettings t, ScatterNetSettings settings, int validationExamples = 0, bool mirrorTrain = false, bool mirrorTest = false)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(settings);
        (_mirrorTrain, _mirrorTest) = (mirrorTrain, mirrorTest);
        if (t.UsesImageSource)
            throw new ConfigurationException(
                $"veil.last-layer.features = scatternet reads the Fashion-MNIST IDX files, but veil.data.source = \"{t.Source}\" is set; " +
                "clear veil.data.source (and test-source)");
        _settings = settings;
        _cache = new FeatureCache(BackboneFeatureCacheDirectory(t));
        if (validationExamples > 0)
        {
            if (t.PublicSplit.Split != "subset")
                throw new ConfigurationException(
                    $"veil.last-layer.validation-examples = {validationExamples} chooses settings on public examples: " +
                    "declare some with veil.public.split = subset (or set validation-examples = 0)");
            var parts = RunData.LoadSplit(t);
            if (validationExamples >= parts.PublicTrain.Count)
                throw new ConfigurationException(
                    $"veil.last-layer.validation-examples = {validationExamples} leaves nothing to train on: the public subset has " +
                    $"{parts.PublicTrain.Count} examples; hold out fewer");
            var held = PublicPrivateSplitter.Split(parts.PublicTrain, parts.PublicTest,
                new SubsetSplit(parts.PublicTrain.Count - validationExamples, ValidationSeed));
            (_train, _test) = (held.PublicTrain, held.PrivateTrain);
            PublicTuning = new PublicTuningData(_train);
        }
        else
        {
            (_train, _test) = RunData.IdxSplits(t);
        }
        if (_train.Channels != 1 || _train.Height != _train.Width || _train.Height % (1 << settings.Scales) != 0)
            throw new ConfigurationException(
                $"veil.last-layer.features = scatternet needs square one-channel images whose side is a multiple of 2^J = {1 << settings.Scales}; " +
                $"{_train.Name} has {_train.Channels} × {_train.Height} × {_train.Width}");
        _datasetFingerprint = DatasetFingerprint.Of(_train);
        _mapFingerprint = $"{MapVersion}\nside {_train.Height}, J {settings.Scales}, L {settings.Angles}";
        int channels = ScatteringTransform.ChannelCount(settings.Scales, settings.Angles), side = _train.Height >> settings.Scales;
        Dimension = channels * side * side;
        Description = $"scatternet (J = {settings.Scales}, L = {settings.Angles}, {channels} × {side} × {side}, group norm {settings.Groups}" +
            (mirrorTrain ? ", flip views" : "") + (mirrorTest ? ", test-time flip" : "") + ") of " +
            (PublicTuning is null
                ? $"{_train.Name} ({_train.Count} examples)"
                : $"{_train.Count} PUBLIC examples, scored on {_test.Count} held-out public examples");
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{_mapFingerprint}\ngroups {settings.Groups}\nmirrors {mirrorTrain} {mirrorTest}\n{_datasetFingerprint}\n{DatasetFingerprint.Of(_test)}")));
    }

    public string Description { get; }

    public string Fingerprint { get; }

    public int Dimension { get; }

    /// <summary>A selection run's public training examples (its own ledger's scope); null for a private run.</summary>
    public PublicTuningData? PublicTuning { get; }

    /// <summary>Whether the last <see cref="Train"/> or <see cref="Test"/> came from the cache.</summary>
    public bool FromCache { get; private set; }

    public FeatureSet Train() => Features(_train, _datasetFingerprint, DatasetFingerprint.Of(_train), _mirrorTrain);

    // The test split (or the held-out public examples) spends no privacy; it carries the training fingerprint only so the record is complete.
    public FeatureSet Test() => Features(_test, _datasetFingerprint, DatasetFingerprint.Of(_test), _mirrorTest);

    private FeatureSet Features(ImageDataset data, string ledgerFingerprint, string dataFingerprint, bool mirror)
    {
        var set = new FeatureSet(Transformed(data, dataFingerprint, mirrored: false), data.Count, Dimension, data.Labels.Select(b => (int)b).ToArray(),
            data.Classes, ledgerFingerprint);
        return mirror ? set.WithMirrored(Transformed(data, dataFingerprint, mirrored: true)) : set;
    }

    private float[] Transformed(ImageDataset data, string dataFingerprint, bool mirrored)
    {
        var values = _cache.GetOrCompute(_mapFingerprint + (mirrored ? "\nhorizontal mirror" : ""), dataFingerprint, data.Count, Dimension, () =>
        {
            TorchRuntime.EnsureLoaded();
            var pixels = new float[data.Pixels.Length];
            int side = data.Width;
            for (long i = 0; i < pixels.LongLength; i++)
            {
                long column = i % side, source = mirrored ? i - column + (side - 1 - column) : i;
                pixels[i] = data.Pixels[source] / 255f;
            }
            using var transform = new ScatteringTransform(data.Height, _settings.Scales, _settings.Angles);
            return transform.Apply(pixels, data.Count);
        }, out var hit);
        FromCache = hit;
        int channels = ScatteringTransform.ChannelCount(_settings.Scales, _settings.Angles);
        ScatteringGroupNorm.Apply(values, data.Count, channels, Dimension / channels, _settings.Groups);
        return values;
    }

    private static string BackboneFeatureCacheDirectory(TrainingSettings t) => Transfer.BackboneFeatures.DefaultCacheDirectory(t);
}
