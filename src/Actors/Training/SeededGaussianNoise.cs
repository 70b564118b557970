using Veil.Actors.Pipeline;
using Veil.Compute.Noise;
using Veil.Ledger.Store;

namespace Veil.Actors.Training;

/// <summary>
/// N(0, (σC)²) per coordinate from the run's secret noise seed, keyed by step and by how often the step was
/// already released (a re-release after a crash gets a new, independent draw).
/// </summary>
public sealed class SeededGaussianNoise(double noiseMultiplier, double clipNorm, NoiseSeed seed, PriorReleases? priorReleases = null) : INoiseSource
{
    private readonly PriorReleases _prior = priorReleases ?? PriorReleases.None;

    public void AddNoise(float[] clippedSum, long step) =>
        GaussianNoise.AddTo(clippedSum, noiseMultiplier, clipNorm, seed.ForRelease(_prior.Of(step)), step);
}
