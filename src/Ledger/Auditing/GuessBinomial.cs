using MathNet.Numerics;
using Veil.Ledger.Accountants.Numerics;

namespace Veil.Ledger.Auditing;

/// <summary>
/// Binomial(r, p) with p = e^ε / (1 + e^ε), the number of right guesses of r guesses under ε-DP randomised
/// response: the worst case an (ε, δ)-DP mechanism allows (Steinke, Nasr, Jagielski 2023). Terms are
/// formed in log space (r in the thousands puts single probabilities far below double's range) and summed
/// relative to their largest term, so tails stay accurate where they are tiny. log C(r, k) is computed once
/// per r: a bisection on ε evaluates the same r many times.
/// </summary>
internal sealed class GuessBinomial
{
    private readonly double[] _logChoose;
    private readonly double[] _terms;

    public GuessBinomial(int trials)
    {
        if (trials < 0) throw new ArgumentOutOfRangeException(nameof(trials), trials, "trials must be non-negative");
        Trials = trials;
        _logChoose = new double[trials + 1];
        var logFactorialTrials = SpecialFunctions.FactorialLn(trials);
        for (var k = 0; k <= trials; k++)
            _logChoose[k] = logFactorialTrials - SpecialFunctions.FactorialLn(k) - SpecialFunctions.FactorialLn(trials - k);
        _terms = new double[trials + 1];
    }

    public int Trials { get; }

    /// <summary>P[X ≥ v].</summary>
    public double UpperTail(int v, double epsilon)
    {
        if (v <= 0) return 1;
        if (v > Trials) return 0;
        var (max, count) = LogTerms(v, Trials, epsilon);
        double sum = 0;
        for (var i = 0; i < count; i++) sum += Math.Exp(_terms[i] - max);
        return Math.Min(1, Math.Exp(max) * sum);
    }

    /// <summary>
    /// max over 1 ≤ i ≤ v of P[v − i ≤ X &lt; v] / i: the factor of the δ term in the (ε, δ) bound (for i &gt; v the
    /// window holds no more mass while i grows, so larger i never win). 0 when v = 0.
    /// </summary>
    public double MaxMeanMassBelow(int v, double epsilon)
    {
        if (v <= 0) return 0;
        v = Math.Min(v, Trials + 1);
        // Terms for k = 0 … v−1, stored in that order; the window of width i is the last i of them.
        var (max, count) = LogTerms(0, v - 1, epsilon);
        double window = 0, best = 0;
        for (var i = 1; i <= count; i++)
        {
            window += Math.Exp(_terms[count - i] - max);
            best = Math.Max(best, window / i);
        }
        return Math.Min(1, Math.Exp(max) * best);
    }

    // log P[X = k] for k = from … to into _terms[0 …], and their maximum.
    private (double Max, int Count) LogTerms(int from, int to, double epsilon)
    {
        // log p = −log(1 + e^−ε), log(1 − p) = −log(1 + e^ε), both without cancellation for any ε ≥ 0.
        var logP = -LogSpace.Log1P(Math.Exp(-epsilon));
        var logQ = -LogOnePlusExp(epsilon);
        var max = double.NegativeInfinity;
        var count = 0;
        for (var k = from; k <= to; k++)
        {
            var t = _logChoose[k] + k * logP + (Trials - k) * logQ;
            _terms[count++] = t;
            if (t > max) max = t;
        }
        return (max, count);
    }

    private static double LogOnePlusExp(double x) => x > 35 ? x + Math.Exp(-x) : LogSpace.Log1P(Math.Exp(x));
}
