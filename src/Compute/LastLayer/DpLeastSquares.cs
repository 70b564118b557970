using Veil.Compute.Noise;
using Veil.Ledger.Events;
using static TorchSharp.torch;

namespace Veil.Compute.LastLayer;

/// <summary>
/// DP least squares (Mehta et al.): classification as regression onto one-hot targets. Two Gaussian releases,
/// once each: XᵀX with symmetric noise (sensitivity C²) and XᵀY (sensitivity C·1); then
/// W = (proj_PSD(XᵀX + E) + λI)⁻¹ (XᵀY + F), post-processing of the two releases.
/// </summary>
public static class DpLeastSquares
{
    public static LinearHead Fit(
        ClippedFeatures data, LastLayerOptions options, IReadOnlyDictionary<string, double> noiseMultipliers, IReleaseGate gate, NoiseSeed seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(gate);
        using var scope = NewDisposeScope();
        var x = data.Design();
        var covariance = SufficientStatistics.Covariance(x);
        var targets = SufficientStatistics.Targets(x, data.OneHot());

        double sigmaCovariance = noiseMultipliers[LastLayerReleases.Covariance];
        gate.Commit(LastLayerReleases.Covariance, new GaussianEvent(sigmaCovariance));
        var noisyCovariance = NoisyStatistic.Symmetric(
            covariance, sigmaCovariance * LastLayerSensitivity.Covariance(data.ClipNorm), seed, LastLayerReleases.Covariance);

        double sigmaTargets = noiseMultipliers[LastLayerReleases.Targets];
        gate.Commit(LastLayerReleases.Targets, new GaussianEvent(sigmaTargets));
        var noisyTargets = NoisyStatistic.Plain(targets, sigmaTargets * LastLayerSensitivity.Targets(data.ClipNorm), seed, LastLayerReleases.Targets);

        return LinearHead.From(SolveReleased(noisyCovariance, noisyTargets, options.Regularisation));
    }

    /// <summary>The post-processing step alone: W = (proj_PSD(A) + λI)⁻¹ B.</summary>
    public static Tensor SolveReleased(Tensor covariance, Tensor targets, double lambda) => RegularisedSolve.Solve(covariance, targets, lambda);
}
