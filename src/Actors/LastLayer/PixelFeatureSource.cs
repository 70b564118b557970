using System.Security.Cryptography;
using System.Text;
using Veil.Actors.Configuration;
using Veil.Actors.Training;
using Veil.Compute.LastLayer;
using Veil.DataLoading.Datasets;

namespace Veil.Actors.LastLayer;

/// <summary>
/// The identity feature map: each image's normalised pixels, flattened (784 features for Fashion-MNIST).
/// A legitimate frozen feature map (fixed, data-independent, public), weak next to a pre-trained backbone,
/// and cheap, so also the features of the tests. Reads the Fashion-MNIST IDX files as the DP-SGD mode does
/// (veil.data.path, train-examples, test-examples; under veil.public the private part only), so the private
/// fingerprint is the same dataset key and both modes spend the same budget.
/// </summary>
public sealed class PixelFeatureSource : IFeatureSource
{
    private const string MapVersion = "pixels/v1";
    private readonly ImageDataset _train;
    private readonly ImageDataset _test;
    private readonly string _datasetFingerprint;
    private readonly PixelNormalization _normalization = PixelNormalization.FashionMnist;

    public PixelFeatureSource(TrainingSettings t) : this(Load(t))
    {
    }

    /// <summary>The features of data the run has already opened (no second read of the IDX files).</summary>
    internal PixelFeatureSource(RunData data) : this(data.InMemory ?? throw new ConfigurationException(
        "veil.last-layer.features = \"pixels\" reads the Fashion-MNIST IDX files, but veil.data.source is set; " +
        "clear veil.data.source (and test-source) or use a backbone's features"))
    {
    }

    private PixelFeatureSource((ImageDataset Train, ImageDataset Test) data)
    {
        (_train, _test) = data;
        _datasetFingerprint = DatasetFingerprint.Of(_train);
        Description = $"pixels of {_train.Name} ({_train.Count} examples, {_train.ExampleSize} features)";
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{MapVersion}\n{_normalization.Mean:R}/{_normalization.Std:R}\n{_datasetFingerprint}\n{DatasetFingerprint.Of(_test)}")));
    }

    private static (ImageDataset Train, ImageDataset Test) Load(TrainingSettings t)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.UsesImageSource)
            throw new ConfigurationException(
                $"veil.last-layer.features = \"pixels\" reads the Fashion-MNIST IDX files, but veil.data.source = \"{t.Source}\" is set; " +
                "clear veil.data.source (and test-source) or use a backbone's features");
        return RunData.IdxSplits(t); // as in DP-SGD: only the private part is released from, so it alone is the ledger's key
    }

    public string Description { get; }

    public string Fingerprint { get; }

    public FeatureSet Train() => Flatten(_train, _datasetFingerprint);

    // The test split spends no privacy; its FeatureSet carries the training fingerprint only so that the record
    // is complete (nothing keys a ledger entry by it).
    public FeatureSet Test() => Flatten(_test, _datasetFingerprint);

    private FeatureSet Flatten(ImageDataset data, string fingerprint)
    {
        var table = _normalization.LookupTable();
        var values = new float[(long)data.Count * data.ExampleSize];
        for (long i = 0; i < values.LongLength; i++) values[i] = table[data.Pixels[i]];
        var labels = data.Labels.Select(b => (int)b).ToArray();
        return new FeatureSet(values, data.Count, data.ExampleSize, labels, data.Classes, fingerprint);
    }
}
