using Veil.Compute.LastLayer;

namespace Veil.Actors.LastLayer;

/// <summary>
/// Where frozen features come from (veil.last-layer.features): a fixed, public feature map applied to the
/// private training split and to the test split. Train().DatasetFingerprint is the fingerprint of the private
/// examples only (the ledger's key); <see cref="Fingerprint"/> identifies the features themselves (feature map
/// and data) for caching and messages.
/// </summary>
public interface IFeatureSource
{
    /// <summary>For logs and plan.json, e.g. "pixels of fashion-mnist/train (60000 examples)".</summary>
    string Description { get; }

    /// <summary>Identity of the feature map applied to this data (not a privacy key).</summary>
    string Fingerprint { get; }

    FeatureSet Train();

    FeatureSet Test();
}
