using Veil.Ledger.Events;

namespace Veil.Ledger.Accountants.Pld;

/// <summary>
/// Flattens a history into how many times each distinct mechanism ran. Composition is commutative,
/// so a ledger of 14,000 single-step events costs one self-composition, not 14,000 convolutions,
/// and reordering a history cannot change its ε.
/// </summary>
internal static class MechanismTally
{
    public static Dictionary<SubsampledGaussianMechanism, long> Count(IEnumerable<DpEvent> history, string accountant)
    {
        ArgumentNullException.ThrowIfNull(history);
        var counts = new Dictionary<SubsampledGaussianMechanism, long>();
        CountInto(history, counts, accountant);
        foreach (var unused in counts.Where(pair => pair.Value == 0).Select(pair => pair.Key).ToList()) counts.Remove(unused);
        return counts;
    }

    /// <summary>Adds a history's mechanisms to <paramref name="counts"/> (zero counts are kept, so first-seen order never changes).</summary>
    public static void CountInto(IEnumerable<DpEvent> history, Dictionary<SubsampledGaussianMechanism, long> counts, string accountant)
    {
        ArgumentNullException.ThrowIfNull(history);
        foreach (var dpEvent in history) Visit(dpEvent, 1, counts, accountant);
    }

    // Zero multiplicities are still walked: an unsupported event is refused even inside SelfComposed(e, 0),
    // so a history never passes just because its bad part happened not to run yet.
    private static void Visit(DpEvent? dpEvent, long multiplicity, Dictionary<SubsampledGaussianMechanism, long> counts, string accountant)
    {
        switch (dpEvent)
        {
            case null:
                throw new ArgumentException("A history must not contain null events.", "history");
            case GaussianEvent gaussian:
                Add(new SubsampledGaussianMechanism(gaussian.NoiseMultiplier, 1.0), multiplicity, counts);
                break;
            case PoissonSampled { Inner: GaussianEvent gaussian } sampled:
                Add(new SubsampledGaussianMechanism(gaussian.NoiseMultiplier, sampled.SamplingRate), multiplicity, counts);
                break;
            // Sampling drawn from fixed keys is as predictable as the noise: it cannot make an insecure release private.
            case PoissonSampled { Inner: InsecureRandomness insecure }:
                Visit(insecure, multiplicity, counts, accountant);
                break;
            // Neighbouring datasets differ by one user: the mechanism on users is the inner one, unchanged.
            case UserLevel userLevel:
                Visit(userLevel.Inner, multiplicity, counts, accountant);
                break;
            case SelfComposed selfComposed:
                Visit(selfComposed.Inner, checked(multiplicity * selfComposed.Count), counts, accountant);
                break;
            case Composed composed:
                foreach (var inner in composed.Events) Visit(inner, multiplicity, counts, accountant);
                break;
            case InsecureRandomness insecure:
                Visit(insecure.Inner, 0, counts, accountant); // refuses an unsupported inner event
                // Counted at least once, even inside SelfComposed(…, 0): anything composed with it is ∞.
                Add(SubsampledGaussianMechanism.Unbounded, Math.Max(1, multiplicity), counts);
                break;
            default:
                throw new UnsupportedEventException(dpEvent, accountant);
        }
    }

    private static void Add(SubsampledGaussianMechanism mechanism, long count, Dictionary<SubsampledGaussianMechanism, long> counts) =>
        counts[mechanism] = checked(counts.GetValueOrDefault(mechanism) + count);
}
