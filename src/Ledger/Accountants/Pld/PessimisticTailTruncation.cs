namespace Veil.Ledger.Accountants.Pld;

/// <summary>
/// Keeps a composed PLD's support bounded without ever lowering δ(ε): the upper tail is moved to the
/// infinite loss (where it counts fully in δ) and the lower tail is moved up onto the lowest kept loss.
/// Both moves only raise losses, and δ(ε) is nondecreasing in every loss.
/// </summary>
internal static class PessimisticTailTruncation
{
    public static PrivacyLossDistribution Apply(
        double valueDiscretisationInterval, long lowestIndex, double[] masses, double infinityMass, double tailMass)
    {
        // FFT round-off leaves ~1e-18 of noise, sometimes negative; zero it so the masses stay a measure.
        for (var i = 0; i < masses.Length; i++)
            if (!(masses[i] > 0.0)) masses[i] = 0.0;

        var first = 0;
        var lowerTail = 0.0;
        while (first < masses.Length - 1 && lowerTail + masses[first] <= tailMass) lowerTail += masses[first++];

        var last = masses.Length - 1;
        var upperTail = 0.0;
        while (last > first && upperTail + masses[last] <= tailMass) upperTail += masses[last--];

        var kept = masses.AsSpan(first, last - first + 1).ToArray();
        if (kept.Length > 0) kept[0] += lowerTail;
        return new PrivacyLossDistribution(
            valueDiscretisationInterval, lowestIndex + first, kept, Math.Min(1.0, infinityMass + upperTail));
    }
}
