using System.Security.Cryptography;
using System.Text;
using Veil.Actors.Configuration;
using Veil.Actors.Training;
using Veil.Actors.Transfer;
using Veil.Compute.LastLayer;
using Veil.Compute.Transfer;

namespace Veil.Actors.LastLayer;

/// <summary>
/// Penultimate-layer features of a pre-trained backbone (veil.last-layer.features = a backbone folder, e.g.
/// runs/backbones/fmnist-subset). The data are the run's PRIVATE examples: under veil.public only the private part
/// (subset: the examples outside the public subset; classes: the private classes, relabelled), so the ledger key is
/// the private set's fingerprint and no public example is ever released from. A backbone pre-trained on these very
/// examples is refused (<see cref="BackboneFeatures"/>): its weights would already be a non-private release of them.
/// Features are extracted once per (backbone, data) pair and cached under runs/feature-cache.
/// </summary>
public sealed class BackboneFeatureSource : IFeatureSource
{
    private const string MapVersion = "backbone/v1";
    private readonly ExtractedFeatures _train;
    private readonly ExtractedFeatures _test;

    /// <param name="data">The run's data when it is already open (not read again).</param>
    public BackboneFeatureSource(TrainingSettings t, string backboneDirectory, string? cacheDirectory = null, RunData? data = null)
    {
        ArgumentNullException.ThrowIfNull(t);
        BackboneFeatures features;
        try
        {
            features = new BackboneFeatures(t, backboneDirectory, cacheDirectory ?? BackboneFeatures.DefaultCacheDirectory(t));
        }
        catch (BackboneException e)
        {
            throw new ConfigurationException($"veil.last-layer.features = \"{backboneDirectory}\": {e.Message}");
        }
        (_train, _test) = data is null ? features.Extract() : features.Extract(data);
        FromCache = _train.FromCache && _test.FromCache;
        Description = $"{features.Architecture} backbone {features.BackboneFingerprint[..12]} " +
            $"({backboneDirectory}) features of {_train.Count} private examples " +
            $"({_train.Dimension} features{(FromCache ? ", cached" : "")})";
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{MapVersion}\n{features.BackboneFingerprint}\n{_train.DatasetFingerprint}\n{_test.DatasetFingerprint}")));
    }

    public string Description { get; }

    public string Fingerprint { get; }

    /// <summary>Both splits' features came from the cache (no backbone forward pass in this process).</summary>
    public bool FromCache { get; }

    public FeatureSet Train() => Of(_train, _train.DatasetFingerprint);

    // The test split spends no privacy; it carries the training fingerprint only so the record is complete.
    public FeatureSet Test() => Of(_test, _train.DatasetFingerprint);

    private static FeatureSet Of(ExtractedFeatures f, string fingerprint) =>
        new(f.Values, f.Count, f.Dimension, f.Labels.Select(l => checked((int)l)).ToArray(), f.Classes, fingerprint);
}
