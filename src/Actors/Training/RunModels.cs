using Veil.Actors.Configuration;
using Veil.Compute.Models;
using Veil.Compute.Transfer;
using Veil.DataLoading.Datasets;

namespace Veil.Actors.Training;

/// <summary>
/// Makes every replica of a run's model: a seeded catalog model, or (veil.init.from) the pre-trained backbone
/// with a zero head for the private classes and its frozen parts set. Frozen weights are the same in every
/// replica because each copies them from the same checked backbone; only trainable ones travel in the
/// parameter vector.
/// </summary>
public sealed class RunModels
{
    private readonly TrainingSettings _t;
    private readonly LoadedBackbone? _backbone;
    private readonly Func<long, VeilModel>? _create;

    public RunModels(TrainingSettings t, int classes, string privateFingerprint)
    {
        Library.PrivateTraining.RefuseRebuilding(t);
        _t = t;
        Classes = classes;
        if (!t.Initialisation.FromBackbone) return;
        _backbone = BackboneStore.Load(t.Initialisation.From);
        var m = _backbone.Manifest;
        var expected = PixelNormalization.FashionMnist;
        if (Math.Abs(m.Preprocessing.Mean - expected.Mean) > 1e-6 || Math.Abs(m.Preprocessing.Std - expected.Std) > 1e-6)
            throw new BackboneException(
                $"the backbone in {_backbone.Directory} was pre-trained on inputs (x/255 − {m.Preprocessing.Mean}) / {m.Preprocessing.Std}, " +
                $"but this run feeds (x/255 − {expected.Mean}) / {expected.Std}; pre-train it again with this data");
        // A backbone trained without noise on the private examples would leak them through every later release.
        if (m.PublicDataFingerprint == privateFingerprint)
            throw new BackboneException(
                $"the backbone in {_backbone.Directory} was pre-trained (without DP) on this run's private " +
                $"data {privateFingerprint[..12]}; pre-train on the public split (veil.public) instead");
        using var probe = Create(seed: 0); // refuses a mismatched architecture or input shape before any privacy is spent
    }

    /// <summary>The caller's own model (the library, <see cref="Library.PrivateTraining"/>): every replica comes from its factory.</summary>
    public RunModels(TrainingSettings t, int classes, Func<long, VeilModel> create)
    {
        _t = t;
        Classes = classes;
        _create = create;
    }

    public int Classes { get; }

    /// <summary>The backbone the run starts from, or null for a random start.</summary>
    public LoadedBackbone? Backbone => _backbone;

    /// <summary>Fingerprint of the backbone the run starts from, or null for a random start.</summary>
    public string? BackboneFingerprint => _backbone?.Manifest.Fingerprint;

    /// <summary>
    /// What a replica is, as a cluster's nodes compare it: the catalog model and its class count, and for a fine-tuning
    /// run the backbone's fingerprint and the trainable part. Two nodes with the same identity compute gradients of
    /// the same function of the same trainable parameters.
    /// </summary>
    public string Identity => _backbone is null
        ? $"{_t.ModelIdentity} ({Classes} classes)"
        : $"{_t.ModelIdentity} ({Classes} classes) from backbone {_backbone.Manifest.Fingerprint[..12]}, trainable {_t.Initialisation.Trainable}";

    public VeilModel Create(long seed) => _create is not null ? _create(seed) : _backbone is null
        ? ModelCatalog.Create(_t.Model, seed, Classes, _t.WeightStandardisation)
        : TransferModel.Create(_backbone, _t.Model, Classes, _t.Initialisation.Parts);
}
