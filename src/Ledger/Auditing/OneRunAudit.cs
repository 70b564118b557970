namespace Veil.Ledger.Auditing;

/// <summary>
/// The statistics of "Privacy Auditing with One (1) Training Run" (Steinke, Nasr, Jagielski, NeurIPS 2023).
/// m canaries are each included with probability 1/2; after one run an auditor guesses membership for r of
/// them and is right v times. If the run is (ε, δ)-DP, then for every v
///   P[V ≥ v] ≤ P[Binomial(r, e^ε/(1+e^ε)) ≥ v] + 2mδ · max_{1≤i≤m} P[v−i ≤ Binomial(r, e^ε/(1+e^ε)) &lt; v] / i,
/// (their Theorem 3.1; δ = 0 leaves the binomial tail alone). That right-hand side is the p-value of the
/// hypothesis "(ε, δ)-DP"; the lower bound is an ε at which it is at most β.
/// <para>
/// Never larger than the mathematics allows: every p-value is inflated by <see cref="SafetyFactor"/>, far
/// more than the rounding of its log-space terms (relative ~1e-10 at r = 10⁵), and the bisection only ever
/// reports an ε whose p-value it has evaluated and found ≤ β. Reporting any such ε is valid even where
/// the δ term makes the p-value non-monotone in ε: if the run is (ε*, δ)-DP it is (ε, δ)-DP for every
/// ε ≥ ε*, so the event "some ε ≥ ε* is rejected" is "V ≥ v₀" for the smallest rejected count v₀, whose
/// probability the theorem bounds by β.
/// </para>
/// </summary>
public static class OneRunAudit
{
    /// <summary>Relative inflation of every computed p-value (covers floating-point error; costs ~1e-6 in ε).</summary>
    public const double SafetyFactor = 1 + 1e-6;

    /// <summary>
    /// The conservative p-value of observing at least <see cref="AuditCounts.Correct"/> right guesses if the
    /// run were (<paramref name="epsilon"/>, <paramref name="delta"/>)-DP.
    /// </summary>
    public static double PValue(AuditCounts counts, double epsilon, double delta)
    {
        ArgumentNullException.ThrowIfNull(counts);
        CheckEpsilon(epsilon);
        CheckDelta(delta);
        return PValue(counts, new GuessBinomial(counts.Guesses), epsilon, delta);
    }

    /// <summary>
    /// The largest ε (to a relative 1e-7, rounded down) whose p-value is ≤ <paramref name="beta"/>: with
    /// confidence 1 − β the run is not (ε, δ)-DP. 0 when even ε = 0 is not rejected.
    /// </summary>
    public static AuditLowerBound LowerBound(AuditCounts counts, double delta, double beta)
    {
        ArgumentNullException.ThrowIfNull(counts);
        CheckDelta(delta);
        if (!(beta > 0 && beta < 1))
            throw new ArgumentOutOfRangeException(
                nameof(beta), beta, $"beta = {beta} must lie in (0, 1): the audit's chance of a false lower bound (e.g. 0.05)");
        var binomial = new GuessBinomial(counts.Guesses);
        double P(double e) => PValue(counts, binomial, e, delta);

        var atZero = P(0);
        if (atZero > beta) return new AuditLowerBound(0, atZero, beta, delta, counts);
        // lo is always rejected (p ≤ β); hi never is. With v ≤ r, p → 1 as ε → ∞, so hi is found.
        double lo = 0, pLo = atZero, hi = 1;
        for (double pHi; (pHi = P(hi)) <= beta; hi *= 2)
        {
            lo = hi;
            pLo = pHi;
            if (hi >= 1 << 20) return new AuditLowerBound(lo, pLo, beta, delta, counts);
        }
        while (hi - lo > 1e-7 * Math.Max(1, lo))
        {
            var mid = 0.5 * (lo + hi);
            var p = P(mid);
            if (p <= beta) (lo, pLo) = (mid, p);
            else hi = mid;
        }
        return new AuditLowerBound(lo, pLo, beta, delta, counts);
    }

    private static double PValue(AuditCounts counts, GuessBinomial binomial, double epsilon, double delta)
    {
        var p = binomial.UpperTail(counts.Correct, epsilon);
        if (delta > 0) p += 2.0 * counts.Canaries * delta * binomial.MaxMeanMassBelow(counts.Correct, epsilon);
        return Math.Min(1, p * SafetyFactor);
    }

    private static void CheckEpsilon(double epsilon)
    {
        if (!(epsilon >= 0) || double.IsPositiveInfinity(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"epsilon = {epsilon} must be finite and ≥ 0");
    }

    private static void CheckDelta(double delta)
    {
        if (!(delta >= 0 && delta < 1))
            throw new ArgumentOutOfRangeException(nameof(delta), delta, $"delta = {delta} must lie in [0, 1)");
    }
}
