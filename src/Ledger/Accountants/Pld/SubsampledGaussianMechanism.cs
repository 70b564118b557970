namespace Veil.Ledger.Accountants.Pld;

/// <summary>The only mechanism the PLD accountant knows: a sensitivity-1 Gaussian on a Poisson subsample (rate 1 = no subsampling).</summary>
internal readonly record struct SubsampledGaussianMechanism(double NoiseMultiplier, double SamplingRate);
