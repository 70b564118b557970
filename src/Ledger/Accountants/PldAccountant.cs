using Veil.Ledger.Accountants.Pld;
using Veil.Ledger.Events;

namespace Veil.Ledger.Accountants;

/// <summary>
/// Privacy loss distribution accountant (Koskela et al. 2020; Doroshenko et al. 2022; as in Google's
/// dp_accounting) under add-or-remove-one adjacency. Numerically tight where RDP is a bound: its ε is
/// exact up to discretisation, and every discretisation step errs on the side of more privacy spent.
/// </summary>
public sealed class PldAccountant : IPrivacyAccountant
{
    public const double DefaultValueDiscretisationInterval = 1e-4;
    public const double DefaultTailMassTruncation = 1e-15;

    public PldAccountant(
        double valueDiscretisationInterval = DefaultValueDiscretisationInterval,
        double tailMassTruncation = DefaultTailMassTruncation,
        PldDiscretisation discretisation = PldDiscretisation.ConnectTheDots)
    {
        if (!(valueDiscretisationInterval > 0 && valueDiscretisationInterval <= 1))
            throw new ArgumentOutOfRangeException(nameof(valueDiscretisationInterval), valueDiscretisationInterval, "must be in (0, 1]");
        // Truncated mass is charged to δ, so anything near a realistic δ would make the answer meaningless.
        if (!(tailMassTruncation > 0 && tailMassTruncation <= 1e-9))
            throw new ArgumentOutOfRangeException(nameof(tailMassTruncation), tailMassTruncation, "must be in (0, 1e-9]");
        if (!Enum.IsDefined(discretisation))
            throw new ArgumentOutOfRangeException(nameof(discretisation), discretisation, "unknown discretisation");
        ValueDiscretisationInterval = valueDiscretisationInterval;
        TailMassTruncation = tailMassTruncation;
        Discretisation = discretisation;
    }

    public string Name => "pld";

    public double ValueDiscretisationInterval { get; }

    public double TailMassTruncation { get; }

    public PldDiscretisation Discretisation { get; }

    public PrivacySpent Epsilon(IEnumerable<DpEvent> history, double delta)
    {
        if (!(delta > 0 && delta < 1)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "delta must be in (0, 1)");
        return EpsilonOfCounts(MechanismTally.Count(history, Name), delta);
    }

    public IPrivacyTally StartTally() => new PldTally(this);

    internal PrivacySpent EpsilonOfCounts(IReadOnlyDictionary<SubsampledGaussianMechanism, long> counts, double delta)
    {
        if (!(delta > 0 && delta < 1)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "delta must be in (0, 1)");
        if (counts.Any(pair => pair.Key.IsUnbounded && pair.Value > 0)) return new PrivacySpent(double.PositiveInfinity, delta, Name, Order: null);
        var epsilon = DistributionOf(counts).EpsilonForDelta(delta);
        return new PrivacySpent(epsilon, delta, Name, Order: null);
    }

    /// <summary>The composed PLD pair of a whole history, for callers that want δ(ε) or several δ at once.</summary>
    public AddOrRemovePld DistributionOf(IEnumerable<DpEvent> history) => DistributionOf(MechanismTally.Count(history, Name));

    // Mechanisms that ran zero times are skipped; the others are visited in the tally's order.
    private AddOrRemovePld DistributionOf(IReadOnlyDictionary<SubsampledGaussianMechanism, long> counts)
    {
        if (counts.Any(pair => pair.Key.IsUnbounded && pair.Value > 0))
            throw new ArgumentException(
                "the history holds an insecure release (InsecureRandomness): its privacy loss is unbounded and has no distribution", "history");
        var total = AddOrRemovePld.Identity(ValueDiscretisationInterval);

        // Gaussian mechanisms compose exactly into one Gaussian with 1/σ² = Σ count/σᵢ² (the privacy loss is
        // Gaussian and means and variances add). One discretisation instead of T is both faster and tighter;
        // dp_accounting does the same.
        var gaussianPrecision = counts.Where(pair => pair.Key.SamplingRate == 1.0 && pair.Value > 0)
            .Sum(pair => pair.Value / (pair.Key.NoiseMultiplier * pair.Key.NoiseMultiplier));
        if (gaussianPrecision > 0)
            total = total.Compose(PldOf(1.0 / Math.Sqrt(gaussianPrecision), 1.0), TailMassTruncation);

        // A fixed order makes the floating-point result independent of the order events were recorded in.
        foreach (var (mechanism, count) in counts.Where(pair => pair.Key.SamplingRate < 1.0 && pair.Value > 0)
                     .OrderBy(pair => pair.Key.NoiseMultiplier).ThenBy(pair => pair.Key.SamplingRate))
        {
            total = total.Compose(PldOf(mechanism.NoiseMultiplier, mechanism.SamplingRate).SelfCompose(count, TailMassTruncation), TailMassTruncation);
        }
        return total;
    }

    private AddOrRemovePld PldOf(double noiseMultiplier, double samplingRate) => AddOrRemovePld.ForSubsampledGaussian(
        noiseMultiplier, samplingRate, ValueDiscretisationInterval, TailMassTruncation, Discretisation);
}
