using System.Security.Cryptography;
using System.Text;
using Veil.Actors.Configuration;
using Veil.Actors.Scattering;
using Veil.Actors.Training;
using Veil.Compute.LastLayer;
using Veil.Compute.Scattering;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.PublicPrivate;

namespace Veil.Actors.LastLayer;

/// <summary>
/// ScatterNet features (veil.last-layer.features = scatternet; Tramèr and Boneh 2021): the order-2 wavelet scattering
/// transform of each image's pixels in [0, 1] (<see cref="ScatteringTransform"/>; 81 × 7 × 7 for Fashion-MNIST at
/// J = 2, L = 8), group-normalised per example (<see cref="ScatteringGroupNorm"/>), flattened. The map is fixed and
/// uses no data, so neither computing it nor normalising spends privacy; <see cref="ScatterNetFeatureMap"/> computes and caches them
/// (the same features DP-SGD runs of the scatternet catalog models train on). The data are the run's PRIVATE examples
/// (veil.public honoured, as for pixels).
/// Other views of each image (<see cref="ImageView"/>: its mirror image, shifts), scattered by the same map and cached the
/// same way, can be attached to the training features (augmentation multiplicity) or the test features (test-time averaging):
/// views of the same example, computed without other data, spend nothing. With veil.last-layer.scatternet.public-components = k
/// the features are projected on the top k principal components of the PUBLIC subset's features: that uses public data.
/// With veil.last-layer.validation-examples = V &gt; 0 this is a selection run instead: it trains on the PUBLIC subset
/// less V of its examples and scores the V held out, touching no private example (<see cref="PublicTuning"/>).
/// </summary>
public sealed class ScatterNetFeatureSource : IFeatureSource
{
    private const ulong ValidationSeed = 1;
    private readonly ImageDataset _train;
    private readonly ImageDataset _test;
    private readonly string _datasetFingerprint;
    private readonly ScatterNetFeatureMap _map;
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
        _map = new ScatterNetFeatureMap(settings, BackboneFeatureCacheDirectory(t));
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
        else if (publicComponents > 0 && t.PublicSplit.Split == "subset")
        {
            // One read of the IDX files gives both the private examples and the public ones the subspace is fitted on.
            var parts = RunData.LoadSplit(t);
            (_train, _test, _basisExamples) = (parts.PrivateTrain, parts.PrivateTest, parts.PublicTrain);
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
            _basisExamples ??= _train;
        }
        if (_map.Refusal(_train) is { } refusal) throw new ConfigurationException($"veil.last-layer.features = scatternet {refusal}");
        _datasetFingerprint = DatasetFingerprint.Of(_train);
        int channels = _map.Channels, side = _train.Height >> settings.Scales;
        _scatterDimension = _map.Dimension(_train.Height);
        if (publicComponents > _scatterDimension)
            throw new ConfigurationException(
                $"veil.last-layer.scatternet.public-components = {publicComponents} exceeds the {_scatterDimension} scattering features; use fewer");
        Dimension = publicComponents > 0 ? publicComponents : _scatterDimension;
        Description = $"scatternet (J = {settings.Scales}, L = {settings.Angles}, {channels} × {side} × {side}, group norm {settings.Groups}" +
            (settings.Compression == ScatteringCompression.None ? "" : $", compression {settings.CompressionIdentity}") +
            (publicComponents > 0 ? $", top {publicComponents} principal components of {_basisExamples!.Count} public examples" : "") +
            (_trainViews.Count > 0 ? $", trained on {Names(_trainViews)}" : "") + (_testViews.Count > 0 ? $", scored on {Names(_testViews)}" : "") + ") of " +
            (PublicTuning is null
                ? $"{_train.Name} ({_train.Count} examples)"
                : $"{_train.Count} PUBLIC examples, scored on {_test.Count} held-out public examples");
        // The compression changes the features, so it keys whatever is derived from them; none adds nothing, so fingerprints
        // from before the setting existed still match.
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{_map.Identity(_train.Height)}\ngroups {settings.Groups}\npublic components {publicComponents}\n" +
            (settings.Compression == ScatteringCompression.None ? "" : $"compression {settings.CompressionIdentity}\n") +
            $"train views {Names(_trainViews)}\ntest views {Names(_testViews)}\n{_datasetFingerprint}\n{DatasetFingerprint.Of(_test)}")));
    }

    public string Description { get; }

    public string Fingerprint { get; }

    public int Dimension { get; }

    /// <summary>A selection run's public training examples (its own ledger's scope); null for a private run.</summary>
    public PublicTuningData? PublicTuning { get; }

    /// <summary>Whether the last <see cref="Train"/> or <see cref="Test"/> came from the cache.</summary>
    public bool FromCache { get; private set; }

    public FeatureSet Train() => Features(_train, _datasetFingerprint, _trainViews);

    // The test split (or the held-out public examples) spends no privacy; it carries the training fingerprint only so the record is complete.
    public FeatureSet Test() => Features(_test, _datasetFingerprint, _testViews);

    private static string Names(IReadOnlyList<ImageView> views) => string.Join(" + ", views.Select(v => v.Name));

    private FeatureSet Features(ImageDataset data, string ledgerFingerprint, IReadOnlyList<ImageView> views)
    {
        var set = new FeatureSet(Projected(data, null), data.Count, Dimension, data.Labels.Select(b => (int)b).ToArray(), data.Classes, ledgerFingerprint);
        return views.Count == 0 ? set : set.WithOtherViews(views.Select(v => Projected(data, v)).ToArray());
    }

    private float[] Projected(ImageDataset data, ImageView? view)
    {
        var values = _map.Apply(data, out var hit, view);
        FromCache = hit;
        if (_basisExamples is null) return values;
        _subspace ??= PrincipalSubspace.Fit(_map.Apply(_basisExamples, out _), _basisExamples.Count, _scatterDimension, Dimension);
        return _subspace.Project(values, data.Count);
    }

    private static string BackboneFeatureCacheDirectory(TrainingSettings t) => Transfer.BackboneFeatures.DefaultCacheDirectory(t);
}
