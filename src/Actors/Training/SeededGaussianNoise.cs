using Veil.Actors.Pipeline;
using Veil.Compute.Noise;

namespace Veil.Actors.Training;

/// <summary>N(0, (σC)²) per coordinate from the run's secret noise seed, keyed by step.</summary>
public sealed class SeededGaussianNoise(double noiseMultiplier, double clipNorm, NoiseSeed seed) : INoiseSource
{
    public void AddNoise(float[] clippedSum, long step) => GaussianNoise.AddTo(clippedSum, noiseMultiplier, clipNorm, seed, step);
}
