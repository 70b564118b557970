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
/// Other views of each image (<see cref="ImageView"/>: its mirror image, shifts), scattered by the same transform and cached the
/// same way, can be attached to the training features (flip views) or the test features (test-time averaging): views of the same
/// example, computed without other data, spend nothing.
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
    private readonly IReadOnlyList<ImageView> _trainViews;
    private readonly IReadOnlyList<ImageView> _testViews;
    private readonly int _scatterDimension;
    private readonly ImageDataset? _basisExamples;
    private PrincipalSubspace? _subspace;

    /// <param name="trainViews">Other views attached to each training example (augmentation multiplicity).</param>
    /// <param name="testViews">Other views attached to each test example (test-time averaging).</param>
    public ScatterNetFeatureSource(TrainingSettings t, ScatterNetSettings settings, int validationExamples = 0,
        IReadOnlyList<ImageView>? trainViews = null, IReadOnlyList<ImageView>? testViews = null)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(settings);
        (_trainViews, _testViews) = (trainViews ?? [], testViews ?? []);
        int publicComponents = settings.PublicComponents;
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
        if (publicComponents > 0)
        {
            if (t.PublicSplit.Split != "subset")
                throw new ConfigurationException(
                    $"veil.last-layer.scatternet.public-components = {publicComponents} fits its subspace on public examples: declare some with " +
                    "veil.public.split = subset (or set public-components = 0)");
            // A selection run's public training examples stand in for the private run's public subset (both public, disjoint from the scored ones).
            _basisExamples = PublicTuning is not null ? _train : RunData.LoadSplit(t).PublicTrain;
        }
        if (_train.Channels != 1 || _train.Height != _train.Width || _train.Height % (1 << settings.Scales) != 0)
            throw new ConfigurationException(
                $"veil.last-layer.features = scatternet needs square one-channel images whose side is a multiple of 2^J = {1 << settings.Scales}; " +
                $"{_train.Name} has {_train.Channels} × {_train.Height} × {_train.Width}");
        _datasetFingerprint = DatasetFingerprint.Of(_train);
        _mapFingerprint = $"{MapVersion}\nside {_train.Height}, J {settings.Scales}, L {settings.Angles}";
        int channels = ScatteringTransform.ChannelCount(settings.Scales, settings.Angles), side = _train.Height >> settings.Scales;
        _scatterDimension = channels * side * side;
        if (publicComponents > _scatterDimension)
            throw new ConfigurationException(
                $"veil.last-layer.scatternet.public-components = {publicComponents} exceeds the {_scatterDimension} scattering features; use fewer");
        Dimension = publicComponents > 0 ? publicComponents : _scatterDimension;
        Description = $"scatternet (J = {settings.Scales}, L = {settings.Angles}, {channels} × {side} × {side}, group norm {settings.Groups}" +
            (publicComponents > 0 ? $", top {publicComponents} principal components of {_basisExamples!.Count} public examples" : "") +
            (_trainViews.Count > 0 ? $", trained on {Names(_trainViews)}" : "") + (_testViews.Count > 0 ? $", scored on {Names(_testViews)}" : "") + ") of " +
            (PublicTuning is null
                ? $"{_train.Name} ({_train.Count} examples)"
                : $"{_train.Count} PUBLIC examples, scored on {_test.Count} held-out public examples");
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{_mapFingerprint}\ngroups {settings.Groups}\npublic components {publicComponents}\n" +
            $"train views {Names(_trainViews)}\ntest views {Names(_testViews)}\n{_datasetFingerprint}\n{DatasetFingerprint.Of(_test)}")));
    }

    public string Description { get; }

    public string Fingerprint { get; }

    public int Dimension { get; }

    /// <summary>A selection run's public training examples (its own ledger's scope); null for a private run.</summary>
    public PublicTuningData? PublicTuning { get; }

    /// <summary>Whether the last <see cref="Train"/> or <see cref="Test"/> came from the cache.</summary>
    public bool FromCache { get; private set; }

    public FeatureSet Train() => Features(_train, _datasetFingerprint, DatasetFingerprint.Of(_train), _trainViews);

    // The test split (or the held-out public examples) spends no privacy; it carries the training fingerprint only so the record is complete.
    public FeatureSet Test() => Features(_test, _datasetFingerprint, DatasetFingerprint.Of(_test), _testViews);

    private static string Names(IReadOnlyList<ImageView> views) => string.Join(" + ", views.Select(v => v.Name));

    private FeatureSet Features(ImageDataset data, string ledgerFingerprint, string dataFingerprint, IReadOnlyList<ImageView> views)
    {
        var set = new FeatureSet(Projected(data, dataFingerprint, null), data.Count, Dimension, data.Labels.Select(b => (int)b).ToArray(),
            data.Classes, ledgerFingerprint);
        return views.Count == 0 ? set : set.WithOtherViews(views.Select(v => Projected(data, dataFingerprint, v)).ToArray());
    }

    private float[] Projected(ImageDataset data, string dataFingerprint, ImageView? view)
    {
        var values = Transformed(data, dataFingerprint, view);
        if (_basisExamples is null) return values;
        _subspace ??= PrincipalSubspace.Fit(
            Transformed(_basisExamples, DatasetFingerprint.Of(_basisExamples), null), _basisExamples.Count, _scatterDimension, Dimension);
        return _subspace.Project(values, data.Count);
    }

    private float[] Transformed(ImageDataset data, string dataFingerprint, ImageView? view)
    {
        var values = _cache.GetOrCompute(_mapFingerprint + (view is null ? "" : "\n" + view.Name), dataFingerprint, data.Count, _scatterDimension, () =>
        {
            TorchRuntime.EnsureLoaded();
            var pixels = new float[data.Pixels.Length];
            for (long i = 0; i < pixels.LongLength; i++) pixels[i] = data.Pixels[i] / 255f;
            if (view is not null) pixels = view.Apply(pixels, data.Count, data.Height, data.Width);
            using var transform = new ScatteringTransform(data.Height, _settings.Scales, _settings.Angles);
            return transform.Apply(pixels, data.Count);
        }, out var hit);
        FromCache = hit;
        int channels = ScatteringTransform.ChannelCount(_settings.Scales, _settings.Angles);
        ScatteringGroupNorm.Apply(values, data.Count, channels, _scatterDimension / channels, _settings.Groups);
        return values;
    }

    private static string BackboneFeatureCacheDirectory(TrainingSettings t) => Transfer.BackboneFeatures.DefaultCacheDirectory(t);
}
