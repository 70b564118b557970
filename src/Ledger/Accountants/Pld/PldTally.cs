using Veil.Ledger.Events;

namespace Veil.Ledger.Accountants.Pld;

/// <summary>
/// PLD composition does not fold cheaply event by event (each would be a convolution), so this tally
/// folds identical events by count: it keeps how many times each distinct mechanism ran, exactly the
/// tally <see cref="PldAccountant.DistributionOf(IEnumerable{DpEvent})"/> builds from a whole history,
/// in the same first-seen order, and composes from it for each ε. Reading the ledger stays O(new
/// records); the composition costs one self-composition per distinct mechanism.
/// </summary>
public sealed class PldTally : IPrivacyTally
{
    private readonly PldAccountant _accountant;
    private readonly Dictionary<SubsampledGaussianMechanism, long> _counts;

    internal PldTally(PldAccountant accountant) : this(accountant, new Dictionary<SubsampledGaussianMechanism, long>()) { }

    private PldTally(PldAccountant accountant, Dictionary<SubsampledGaussianMechanism, long> counts)
    {
        _accountant = accountant;
        _counts = counts;
    }

    public IPrivacyTally With(IEnumerable<DpEvent> events)
    {
        // A copy keeps insertion order (nothing is ever removed), hence the same summation order as a full count.
        var counts = new Dictionary<SubsampledGaussianMechanism, long>(_counts);
        MechanismTally.CountInto(events, counts, _accountant.Name);
        return new PldTally(_accountant, counts);
    }

    public IPrivacyTally Plus(IPrivacyTally other)
    {
        if (other is not PldTally pld || !ReferenceEquals(pld._accountant, _accountant))
            throw new ArgumentException("only a tally of the same accountant can be added", nameof(other));
        var counts = new Dictionary<SubsampledGaussianMechanism, long>(_counts);
        foreach (var (mechanism, count) in pld._counts) counts[mechanism] = checked(counts.GetValueOrDefault(mechanism) + count);
        return new PldTally(_accountant, counts);
    }

    public PrivacySpent Epsilon(double delta) => _accountant.EpsilonOfCounts(_counts, delta);
}
