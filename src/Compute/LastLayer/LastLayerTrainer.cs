using Veil.Compute.Noise;

namespace Veil.Compute.LastLayer;

/// <summary>Runs the configured mechanism on clipped features; every release passes through the gate first.</summary>
public static class LastLayerTrainer
{
    public static LinearHead Fit(
        ClippedFeatures data, LastLayerOptions options, IReadOnlyDictionary<string, double> noiseMultipliers, IReleaseGate gate, NoiseSeed seed,
        Action<long, long>? progress = null) => options.Method switch
    {
        LastLayerMethod.LeastSquares => DpLeastSquares.Fit(data, options, noiseMultipliers, gate, seed),
        LastLayerMethod.Newton => DpNewton.Fit(data, options, noiseMultipliers, gate, seed, (s, _) => progress?.Invoke(s, options.NewtonSteps)),
        LastLayerMethod.FeatureCovariance => DpFeatureCovariance.Fit(data, options, noiseMultipliers, gate, seed, progress: progress),
        LastLayerMethod.Sgd => HeadSgd.Run(data, options, noiseMultipliers[LastLayerReleases.Sgd], gate, seed, preconditioner: null, progress: progress),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Method, "unknown method"),
    };
}
