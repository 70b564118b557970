using Veil.Ledger.Accountants.Numerics;
namespace Veil.Ledger.Accountants.Pld;

/// <summary>
/// A discrete privacy loss distribution for one adjacency direction: P-mass Masses[i] at loss
/// (LowestIndex + i)·Δ, plus InfinityMass at loss +∞ (outcomes Q cannot produce, or truncated tails).
/// Immutable; composition returns a new distribution.
/// </summary>
public sealed class PrivacyLossDistribution
{
    private readonly double[] _masses;

    internal PrivacyLossDistribution(double valueDiscretisationInterval, long lowestIndex, double[] masses, double infinityMass)
    {
        if (!(valueDiscretisationInterval > 0 && double.IsFinite(valueDiscretisationInterval)))
            throw new ArgumentOutOfRangeException(nameof(valueDiscretisationInterval), valueDiscretisationInterval, "must be finite and > 0");
        ValueDiscretisationInterval = valueDiscretisationInterval;
        LowestIndex = lowestIndex;
        _masses = masses;
        InfinityMass = infinityMass;
    }

    public double ValueDiscretisationInterval { get; }

    /// <summary>Grid index of Masses[0]; its loss is LowestIndex·Δ.</summary>
    public long LowestIndex { get; }

    public ReadOnlySpan<double> Masses => _masses;

    public double InfinityMass { get; }

    public double LossAt(int position) => (LowestIndex + position) * ValueDiscretisationInterval;

    /// <summary>The mechanism that reveals nothing: all mass at loss 0.</summary>
    public static PrivacyLossDistribution Identity(double valueDiscretisationInterval) =>
        new(valueDiscretisationInterval, 0, [1.0], 0.0);

    /// <summary>The PLD of running both mechanisms: losses add, so masses convolve; the result can be infinite if either is.</summary>
    public PrivacyLossDistribution Compose(PrivacyLossDistribution other, double tailMassTruncation)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.ValueDiscretisationInterval != ValueDiscretisationInterval)
            throw new ArgumentException("Only PLDs on the same grid compose.", nameof(other));

        var masses = ReferenceEquals(this, other)
            ? FftConvolution.Square(_masses)
            : FftConvolution.Convolve(_masses, other._masses);
        var infinityMass = InfinityMass + other.InfinityMass - InfinityMass * other.InfinityMass;
        return PessimisticTailTruncation.Apply(
            ValueDiscretisationInterval, LowestIndex + other.LowestIndex, masses, infinityMass, tailMassTruncation);
    }

    /// <summary>The PLD of <paramref name="count"/> runs, by repeated squaring: O(log count) convolutions, each truncated.</summary>
    public PrivacyLossDistribution SelfCompose(long count, double tailMassTruncation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0) return Identity(ValueDiscretisationInterval);

        PrivacyLossDistribution? result = null;
        var power = this;
        while (true)
        {
            if ((count & 1) == 1) result = result is null ? power : result.Compose(power, tailMassTruncation);
            count >>= 1;
            if (count == 0) return result!;
            power = power.Compose(power, tailMassTruncation);
        }
    }

    /// <summary>δ(ε) = p∞ + Σ p(ℓ)·(1 − e^{ε−ℓ})₊, the hockey-stick divergence of the pair this PLD stands for.</summary>
    public double DeltaForEpsilon(double epsilon)
    {
        var delta = 0.0;
        // Ascending from the top keeps the many tiny terms from being swallowed by the large ones.
        for (var i = _masses.Length - 1; i >= 0; i--)
        {
            var loss = LossAt(i);
            if (loss <= epsilon) break;
            delta += _masses[i] * -LogSpace.ExpM1(epsilon - loss);
        }
        return Math.Min(1.0, InfinityMass + delta);
    }

    /// <summary>
    /// The smallest ε ≥ 0 with δ(ε) ≤ <paramref name="delta"/>; +∞ if the infinite loss alone exceeds it.
    /// Between two grid losses δ(ε) = p∞ + S − e^ε·R with fixed sums S, R, so the answer is solved for exactly
    /// on the one interval where δ crosses the target, not bisected.
    /// </summary>
    public double EpsilonForDelta(double delta)
    {
        if (!(delta > 0 && delta < 1)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "delta must be in (0, 1)");
        if (InfinityMass > delta) return double.PositiveInfinity;

        var shrink = Math.Exp(-ValueDiscretisationInterval);
        // For the grid loss ℓ_i being passed: massAbove = Σ_{j>i} p_j and weightedAbove = Σ_{j>i} p_j·e^{ℓ_i − ℓ_j},
        // kept relative to ℓ_i so nothing overflows however negative the losses get.
        var massAbove = 0.0;
        var weightedAbove = 0.0;
        for (var i = _masses.Length - 1; i >= 0; i--)
        {
            if (i < _masses.Length - 1)
            {
                massAbove += _masses[i + 1];
                weightedAbove = (weightedAbove + _masses[i + 1]) * shrink;
            }
            if (InfinityMass + massAbove - weightedAbove > delta)
                return Math.Max(0.0, LossAt(i) + Math.Log((InfinityMass + massAbove - delta) / weightedAbove));
        }

        // δ at the lowest grid loss is already small enough: solve below it with every atom above ε.
        massAbove += _masses[0];
        weightedAbove = (weightedAbove + _masses[0]) * shrink;
        var excess = InfinityMass + massAbove - delta;
        return excess <= 0.0 ? 0.0 : Math.Max(0.0, LossAt(0) - ValueDiscretisationInterval + Math.Log(excess / weightedAbove));
    }
}
