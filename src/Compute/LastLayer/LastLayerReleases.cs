using Veil.Ledger.Accountants.Calibration;

namespace Veil.Compute.LastLayer;

/// <summary>
/// Which noisy releases each method makes, as groups for the budget split; the names key the noise
/// multipliers and prefix the release names given to the gate ("gradient[0]", "sgd[12]"...).
/// </summary>
public static class LastLayerReleases
{
    public const string Covariance = "covariance";
    public const string Targets = "targets";
    public const string Gradient = "gradient";
    public const string Hessian = "hessian";
    public const string Sgd = "sgd";

    public static IReadOnlyList<ReleaseShare> Plan(LastLayerOptions options, BudgetSplit split, int datasetSize)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(split);
        if (datasetSize < 1) throw new ArgumentOutOfRangeException(nameof(datasetSize), datasetSize, "dataset size must be > 0");
        var sgd = new ReleaseShare(Sgd, split.Sgd, options.SgdSteps(datasetSize), options.SamplingRate(datasetSize));
        return options.Method switch
        {
            LastLayerMethod.LeastSquares => [new ReleaseShare(Covariance, split.Covariance, 1), new ReleaseShare(Targets, split.Targets, 1)],
            LastLayerMethod.Newton => [
                new ReleaseShare(Gradient, split.Gradient, options.NewtonSteps), new ReleaseShare(Hessian, split.Hessian, options.NewtonSteps)],
            LastLayerMethod.FeatureCovariance => [new ReleaseShare(Covariance, split.Covariance, 1), sgd],
            LastLayerMethod.Sgd => [sgd],
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Method, "unknown method"),
        };
    }

    /// <summary>The L2 sensitivity of each group's statistic (its noise std is σ × this).</summary>
    public static double Sensitivity(string release, LastLayerOptions options) => release switch
    {
        Covariance => LastLayerSensitivity.Covariance(options.FeatureMap.ClipNorm),
        Targets => LastLayerSensitivity.Targets(options.FeatureMap.ClipNorm),
        Gradient => LastLayerSensitivity.LogisticGradient(options.FeatureMap.ClipNorm),
        Hessian => LastLayerSensitivity.LogisticHessianBlocks(options.FeatureMap.ClipNorm),
        Sgd => options.EffectiveGradientClip,
        _ => throw new ArgumentException($"unknown release \"{release}\"", nameof(release)),
    };
}
