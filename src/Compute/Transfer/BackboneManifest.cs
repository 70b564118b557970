namespace Veil.Compute.Transfer;

/// <summary>
/// backbone.json: what a pre-trained backbone is, so a fine-tuning run can refuse one that does not fit.
/// <see cref="Fingerprint"/> (SHA-256 over the architecture, parameter layout and weights) keys the feature cache.
/// </summary>
public sealed record BackboneManifest(
    int FormatVersion,
    string Architecture,
    long[] InputShape,
    int PublicClasses,
    long FeatureDimension,
    string HeadName,
    string PublicDataFingerprint,
    string PublicData,
    BackbonePreprocessing Preprocessing,
    IReadOnlyList<BackboneParameter> Parameters,
    string Fingerprint)
{
    public const int CurrentFormat = 1;
}
