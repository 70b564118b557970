namespace Veil.Ledger.Accountants.Pld;

/// <summary>The only mechanism the PLD accountant knows: a sensitivity-1 Gaussian on a Poisson subsample (rate 1 = no subsampling).</summary>
internal readonly record struct SubsampledGaussianMechanism(double NoiseMultiplier, double SamplingRate)
{
    /// <summary>A Gaussian with no noise, unsampled: no privacy at all. Stands for an insecure release (ε = +∞).</summary>
    public static readonly SubsampledGaussianMechanism Unbounded = new(0, 1);

    public bool IsUnbounded => NoiseMultiplier == 0;
}
