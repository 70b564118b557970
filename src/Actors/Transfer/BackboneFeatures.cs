using Veil.Actors.Configuration;
using Veil.Actors.Training;
using Veil.Compute.Runtime;
using Veil.Compute.Transfer;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sampling;

namespace Veil.Actors.Transfer;

/// <summary>
/// Features of a run's private training split and its test split through a pre-trained backbone, cached on
/// disk by (backbone fingerprint, data fingerprint): the frozen-feature (last-layer) mode runs the backbone
/// once per dataset, not once per run. Extraction is a deterministic function of the data; privacy is spent
/// only by what is later released from the features, so it writes nothing to the ledger.
/// </summary>
public sealed class BackboneFeatures
{
    private readonly TrainingSettings _t;
    private readonly LoadedBackbone _backbone;
    private readonly FeatureCache _cache;

    public BackboneFeatures(TrainingSettings t, string backboneDirectory, string cacheDirectory)
    {
        if (t.UsesImageSource && (t.AugmentFlip || t.AugmentCropPadding > 0 || t.Multiplicity > 1))
            throw new ConfigurationException(
                "frozen-backbone features are extracted once per example, unaugmented: " +
                "set veil.data.augment.flip = false, veil.data.augment.crop-padding = 0 and veil.data.multiplicity = 1");
        _t = t;
        _backbone = BackboneStore.Load(backboneDirectory);
        _cache = new FeatureCache(cacheDirectory);
        var p = _backbone.Manifest.Preprocessing;
        var expected = PixelNormalization.FashionMnist;
        if (Math.Abs(p.Mean - expected.Mean) > 1e-6 || Math.Abs(p.Std - expected.Std) > 1e-6)
            throw new BackboneException(
                $"the backbone in {_backbone.Directory} was pre-trained on inputs (x/255 − {p.Mean}) / {p.Std}, " +
                $"but this data is fed as (x/255 − {expected.Mean}) / {expected.Std}; pre-train it again with this data");
    }

    /// <summary>The cache folder used for a run's settings: beside the runs (features of private data are as sensitive as the data).</summary>
    public static string DefaultCacheDirectory(TrainingSettings t) => Path.Combine(t.RunDirectory, "feature-cache");

    public string BackboneFingerprint => _backbone.Manifest.Fingerprint;

    public string Architecture => _backbone.Manifest.Architecture;

    public (ExtractedFeatures Train, ExtractedFeatures Test) Extract()
    {
        using var data = RunData.Load(_t);
        return Extract(data);
    }

    /// <summary>The features of data the run has already opened.</summary>
    public (ExtractedFeatures Train, ExtractedFeatures Test) Extract(RunData data)
    {
        TorchRuntime.EnsureLoaded();
        if (_backbone.Manifest.PublicDataFingerprint == data.Fingerprint)
            throw new BackboneException(
                $"the backbone in {_backbone.Directory} was pre-trained (without DP) on this private " +
                $"data {data.Fingerprint[..12]}; pre-train on the public split (veil.public) instead");
        var m = _backbone.Manifest;
        using var model = TransferModel.Create(_backbone, m.Architecture, m.PublicClasses, Trainable.All);
        var train = data.TrainDecoder(SamplerSeed.FromUInt64(1)).Decode(new MicroBatchSpec(new MicroBatchId(-1, 0), Enumerable.Range(0, data.Count).ToArray()));
        var test = data.TestBatch();
        ExtractedFeatures Of(MicroBatchData batch, string fingerprint)
        {
            var values = _cache.GetOrCompute(m.Fingerprint, fingerprint, batch.Count, m.FeatureDimension,
                () => FeatureExtractor.Extract(model, batch.Inputs, batch.Count, _t.Runtime.EvalBatchSize), out var hit);
            return new ExtractedFeatures(values, batch.Count, (int)m.FeatureDimension, batch.Labels, data.ModelClasses, fingerprint, hit);
        }
        return (Of(train, data.Fingerprint), Of(test, data.TestFingerprint));
    }
}
