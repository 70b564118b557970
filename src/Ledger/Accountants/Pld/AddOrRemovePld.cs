namespace Veil.Ledger.Accountants.Pld;

/// <summary>
/// The privacy loss distributions of both directions of add-or-remove-one adjacency, composed side by
/// side (as dp_accounting does). A mechanism is (ε, δ)-DP only if both directions are, so every answer
/// is the worse of the two.
/// </summary>
public sealed class AddOrRemovePld
{
    private AddOrRemovePld(PrivacyLossDistribution remove, PrivacyLossDistribution add)
    {
        Remove = remove;
        Add = add;
    }

    public PrivacyLossDistribution Remove { get; }

    public PrivacyLossDistribution Add { get; }

    /// <summary>True when both directions are the same distribution (no subsampling), so work is done once.</summary>
    public bool IsSymmetric => ReferenceEquals(Remove, Add);

    public static AddOrRemovePld Identity(double valueDiscretisationInterval)
    {
        var identity = PrivacyLossDistribution.Identity(valueDiscretisationInterval);
        return new AddOrRemovePld(identity, identity);
    }

    /// <summary>One run of the Poisson-subsampled Gaussian mechanism (q = 1: the plain Gaussian mechanism).</summary>
    public static AddOrRemovePld ForSubsampledGaussian(
        double noiseMultiplier, double samplingRate, double valueDiscretisationInterval, double tailMassTruncation,
        PldDiscretisation discretisation = PldDiscretisation.ConnectTheDots)
    {
        PrivacyLossDistribution Discretise(AdjacencyDirection direction) => PldDiscretiser.Discretise(
            new SubsampledGaussianPrivacyLoss(noiseMultiplier, samplingRate, direction),
            valueDiscretisationInterval, tailMassTruncation, discretisation);

        var remove = Discretise(AdjacencyDirection.Remove);
        // Without subsampling the two directions mirror each other (x ↦ 1 − x), so their loss distributions coincide.
        var add = samplingRate == 1.0 ? remove : Discretise(AdjacencyDirection.Add);
        return new AddOrRemovePld(remove, add);
    }

    public AddOrRemovePld Compose(AddOrRemovePld other, double tailMassTruncation)
    {
        ArgumentNullException.ThrowIfNull(other);
        var remove = Remove.Compose(other.Remove, tailMassTruncation);
        var add = IsSymmetric && other.IsSymmetric ? remove : Add.Compose(other.Add, tailMassTruncation);
        return new AddOrRemovePld(remove, add);
    }

    public AddOrRemovePld SelfCompose(long count, double tailMassTruncation)
    {
        var remove = Remove.SelfCompose(count, tailMassTruncation);
        var add = IsSymmetric ? remove : Add.SelfCompose(count, tailMassTruncation);
        return new AddOrRemovePld(remove, add);
    }

    public double DeltaForEpsilon(double epsilon) =>
        Math.Max(Remove.DeltaForEpsilon(epsilon), IsSymmetric ? 0.0 : Add.DeltaForEpsilon(epsilon));

    public double EpsilonForDelta(double delta) =>
        Math.Max(Remove.EpsilonForDelta(delta), IsSymmetric ? 0.0 : Add.EpsilonForDelta(delta));
}
