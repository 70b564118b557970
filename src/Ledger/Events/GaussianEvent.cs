namespace Veil.Ledger.Events;

/// <summary>The Gaussian mechanism on a sensitivity-1 query with noise standard deviation σ (σ = noise multiplier).</summary>
public sealed record GaussianEvent(double NoiseMultiplier) : DpEvent
{
    public double NoiseMultiplier { get; } = NoiseMultiplier > 0 && double.IsFinite(NoiseMultiplier)
        ? NoiseMultiplier
        : throw new ArgumentOutOfRangeException(nameof(NoiseMultiplier), NoiseMultiplier, "noise multiplier must be finite and > 0");
}
