using System.Text.Json.Serialization;
using Veil.Ledger.Accountants.Calibration;
using Veil.Ledger.Events;

namespace Veil.Ledger.Plan;

/// <summary>
/// One group of identical noisy releases in a <see cref="ReleasePlan"/>: its name, how many times it is released, on a
/// Poisson sample at rate q (1: every example), with noise multiplier σ on a statistic of L2 sensitivity Δ (noise std σ·Δ),
/// and the weight it had in the budget split.
/// </summary>
public sealed record PlannedRelease
{
    [JsonConstructor]
    public PlannedRelease(string name, long count, double samplingRate, double noiseMultiplier, double sensitivity, double weight)
    {
        Share = new ReleaseShare(name, weight, count, samplingRate); // validates name, weight, count and q, naming the release
        if (!(noiseMultiplier > 0) || !double.IsFinite(noiseMultiplier))
            throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, $"noise multiplier of release \"{name}\" must be finite and > 0");
        if (!(sensitivity > 0) || !double.IsFinite(sensitivity))
            throw new ArgumentOutOfRangeException(nameof(sensitivity), sensitivity, $"sensitivity of release \"{name}\" must be finite and > 0");
        (NoiseMultiplier, Sensitivity) = (noiseMultiplier, sensitivity);
    }

    [JsonIgnore] public ReleaseShare Share { get; }
    [JsonPropertyName("name")] public string Name => Share.Name;
    [JsonPropertyName("count")] public long Count => Share.Count;
    [JsonPropertyName("sampling_rate")] public double SamplingRate => Share.SamplingRate;
    [JsonPropertyName("noise_multiplier")] public double NoiseMultiplier { get; }
    [JsonPropertyName("sensitivity")] public double Sensitivity { get; }
    [JsonPropertyName("weight")] public double Weight => Share.Weight;

    /// <summary>The standard deviation of the noise on each release: σ·Δ.</summary>
    [JsonPropertyName("noise_std")] public double NoiseStandardDeviation => NoiseMultiplier * Sensitivity;

    /// <summary>Every release of the group, as the ledger will hold it.</summary>
    [JsonIgnore] public DpEvent Event => Share.AllReleases(NoiseMultiplier);
}
