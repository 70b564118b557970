using static TorchSharp.torch;

namespace Veil.Compute.LastLayer;

/// <summary>
/// The ridge regression onto one-hot targets that dp-least-squares estimates, WITHOUT noise: W = (XᵀX + λI)⁻¹ XᵀY on
/// the same clipped features. A reference for the accuracy table only (the non-private ceiling of a last-layer
/// recipe): it releases nothing, so its head must never leave the process.
/// </summary>
public static class NonPrivateRidge
{
    public static LinearHead Fit(ClippedFeatures data, double lambda)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var scope = NewDisposeScope();
        var x = data.Design();
        return LinearHead.From(RegularisedSolve.Solve(SufficientStatistics.Covariance(x), SufficientStatistics.Targets(x, data.OneHot()), lambda));
    }
}
