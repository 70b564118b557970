using Veil.Compute.Noise;
using Veil.Ledger.Events;
using static TorchSharp.torch;

namespace Veil.Compute.LastLayer;

/// <summary>
/// DP-FC (Mehta et al.): release the feature covariance XᵀX once (symmetric noise, sensitivity C²), then run
/// <see cref="HeadSgd"/> preconditioned by M = N·(proj_PSD(XᵀX + E) + λI)⁻¹, the inverse of the (noisy,
/// regularised) mean covariance. M is post-processing of one release, so every step reuses it for free; the
/// ledger holds the covariance release composed with the SGD steps.
/// </summary>
public static class DpFeatureCovariance
{
    public static LinearHead Fit(
        ClippedFeatures data, LastLayerOptions options, IReadOnlyDictionary<string, double> noiseMultipliers, IReleaseGate gate, NoiseSeed seed,
        Action<int, LinearHead>? beforeStep = null, Action<long, long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(gate);
        using var scope = NewDisposeScope();
        double sigmaCovariance = noiseMultipliers[LastLayerReleases.Covariance];
        Tensor covariance;
        using (var x = data.Design()) covariance = SufficientStatistics.Covariance(x);
        gate.Commit(LastLayerReleases.Covariance, new GaussianEvent(sigmaCovariance));
        var noisy = NoisyStatistic.Symmetric(covariance, sigmaCovariance * LastLayerSensitivity.Covariance(data.ClipNorm), seed, LastLayerReleases.Covariance);
        var preconditioner = RegularisedSolve.Inverse(noisy, options.Regularisation) * (double)data.Rows;
        return HeadSgd.Run(data, options, noiseMultipliers[LastLayerReleases.Sgd], gate, seed, preconditioner, beforeStep, progress);
    }
}
