using MathNet.Numerics;

namespace Veil.Ledger.Accountants.Pld;

/// <summary>
/// Standard normal probabilities that stay accurate deep in the tails. PLD bucket masses and
/// truncation points sit many standard deviations out, where 1 − Φ(z) computed as a difference
/// from 1 would be pure round-off.
/// </summary>
internal static class StandardNormal
{
    private static readonly double InverseSqrtTwo = 1.0 / Math.Sqrt(2.0);

    /// <summary>P(Z &gt; z), with small relative error even when the answer is 1e-300.</summary>
    public static double UpperTail(double z)
    {
        if (double.IsPositiveInfinity(z)) return 0.0;
        if (double.IsNegativeInfinity(z)) return 1.0;
        return 0.5 * SpecialFunctions.Erfc(z * InverseSqrtTwo);
    }

    /// <summary>P(a &lt; Z ≤ b), always as a difference of two tail probabilities on the same side of 0.</summary>
    public static double IntervalMass(double a, double b)
    {
        if (!(a < b)) return 0.0;
        if (a >= 0.0) return Math.Max(0.0, UpperTail(a) - UpperTail(b));
        if (b <= 0.0) return Math.Max(0.0, UpperTail(-b) - UpperTail(-a));
        // Straddling 0: both tails are at most 1/2, so subtracting them from 1 loses nothing.
        return 1.0 - UpperTail(-a) - UpperTail(b);
    }

    /// <summary>The z with P(Z &gt; z) = tailMass, for tailMass in (0, 1/2]; bisection is plenty for a once-per-PLD call.</summary>
    public static double UpperTailQuantile(double tailMass)
    {
        if (!(tailMass > 0.0 && tailMass <= 0.5))
            throw new ArgumentOutOfRangeException(nameof(tailMass), tailMass, "tail mass must be in (0, 1/2]");
        double low = 0.0, high = 40.0; // P(Z > 40) ≈ 4e-350 underflows: any representable tail lies below 40.
        for (var i = 0; i < 200 && high - low > 1e-13; i++)
        {
            var middle = 0.5 * (low + high);
            if (UpperTail(middle) > tailMass) low = middle; else high = middle;
        }
        // Return the larger end so the mass beyond it never exceeds what was asked for.
        return high;
    }
}
