namespace Veil.Ledger.Accountants.Calibration;

/// <summary>
/// The noise multiplier of each release group (by name) found by <see cref="SplitCalibration"/>, the common
/// scale s they derive from, and the ε the whole composition gives (≤ the target).
/// </summary>
public sealed record SplitNoise(IReadOnlyDictionary<string, double> NoiseMultipliers, double Scale, double Epsilon, double Delta, string Accountant)
{
    public double this[string release] => NoiseMultipliers.TryGetValue(release, out var sigma)
        ? sigma
        : throw new KeyNotFoundException($"no noise multiplier was planned for release \"{release}\" (planned: {string.Join(", ", NoiseMultipliers.Keys)})");
}
