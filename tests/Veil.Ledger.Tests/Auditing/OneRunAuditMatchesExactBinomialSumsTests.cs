using System.Numerics;
using Veil.Ledger.Auditing;
using Xunit;

namespace Veil.Ledger.Tests.Auditing;

/// <summary>
/// The p-value against sums computed independently: exact rational arithmetic where e^ε/(1+e^ε) is rational
/// (ε = 0, ln 3, ln 9 give 1/2, 3/4, 9/10), and a plain loop with BigInteger binomial coefficients elsewhere.
/// </summary>
public class OneRunAuditMatchesExactBinomialSumsTests
{
    // P[Binomial(r, a/b) ≥ v] = Σ_{k ≥ v} C(r,k) a^k (b−a)^{r−k} / b^r, exactly, returned as a double.
    private static double ExactTail(int r, int v, int a, int b)
    {
        BigInteger numerator = 0, choose = 1;
        for (var k = 0; k <= r; k++)
        {
            if (k > 0) choose = choose * (r - k + 1) / k;
            if (k >= v) numerator += choose * BigInteger.Pow(a, k) * BigInteger.Pow(b - a, r - k);
        }
        if (numerator.IsZero) return 0;
        return Math.Exp(BigInteger.Log(numerator) - BigInteger.Log(BigInteger.Pow(b, r)));
    }

    private static double Pmf(int r, int k, double p)
    {
        BigInteger choose = 1;
        for (var j = 1; j <= k; j++) choose = choose * (r - j + 1) / j;
        return (double)choose * Math.Pow(p, k) * Math.Pow(1 - p, r - k);
    }

    // The theorem's right-hand side written out directly, i over all of 1..m as stated.
    private static double BruteForcePValue(int m, int r, int v, double epsilon, double delta)
    {
        var p = Math.Exp(epsilon) / (1 + Math.Exp(epsilon));
        double tail = 0;
        for (var k = v; k <= r; k++) tail += Pmf(r, k, p);
        double best = 0;
        for (var i = 1; i <= m; i++)
        {
            double window = 0;
            for (var k = Math.Max(0, v - i); k < v; k++) window += Pmf(r, k, p);
            best = Math.Max(best, window / i);
        }
        return Math.Min(1, tail + 2 * m * delta * best);
    }

    [Theory]
    [InlineData(20, 10, 1, 2)]
    [InlineData(20, 17, 3, 4)]
    [InlineData(200, 180, 3, 4)]
    [InlineData(2000, 1600, 3, 4)]
    [InlineData(2000, 1950, 9, 10)]
    [InlineData(2000, 1990, 3, 4)] // a tail near 1e-228: its terms multiply (3/4)^1990, out of reach of a naive product
    [InlineData(5000, 2600, 1, 2)]
    public void The_binomial_tail_equals_the_exact_rational_sum(int r, int v, int a, int b)
    {
        var epsilon = Math.Log((double)a / (b - a));
        var exact = ExactTail(r, v, a, b);
        var computed = OneRunAudit.PValue(new AuditCounts(r, r, v), epsilon, 0);
        if (exact < 1e-300)
        {
            Assert.True(computed <= 1e-300 && computed >= 0, $"{computed} for an exact {exact}");
            return;
        }
        Assert.True(computed >= exact, $"not conservative: {computed} < exact {exact}");
        Assert.True(computed <= exact * (1 + 1e-5), $"{computed} vs exact {exact}");
    }

    [Theory]
    [InlineData(40, 30, 22, 0.5, 1e-3)]
    [InlineData(40, 30, 27, 1.5, 1e-3)]
    [InlineData(60, 60, 45, 1.0, 1e-4)]
    [InlineData(60, 20, 20, 3.0, 1e-2)]
    [InlineData(60, 20, 5, 0.2, 1e-2)]
    public void The_delta_version_equals_the_theorem_written_out(int m, int r, int v, double epsilon, double delta)
    {
        var brute = BruteForcePValue(m, r, v, epsilon, delta);
        var computed = OneRunAudit.PValue(new AuditCounts(m, r, v), epsilon, delta);
        Assert.True(computed >= brute, $"not conservative: {computed} < {brute}");
        Assert.True(computed <= brute * (1 + 1e-5), $"{computed} vs {brute}");
    }

    [Fact]
    public void The_lower_bound_is_rejected_and_a_slightly_larger_epsilon_is_not()
    {
        foreach (var (counts, delta) in new[] { (new AuditCounts(1000, 200, 170), 0.0), (new AuditCounts(1000, 200, 170), 1e-5), (new AuditCounts(10_000, 10_000, 8_800), 1e-6) })
        {
            var bound = OneRunAudit.LowerBound(counts, delta, 0.05);
            Assert.True(bound.Epsilon > 0);
            Assert.True(BruteForcePValueLarge(counts, bound.Epsilon, delta) <= 0.05, $"ε = {bound.Epsilon} is not rejected by the exact p-value");
            Assert.True(OneRunAudit.PValue(counts, bound.Epsilon * (1 + 1e-5) + 1e-6, delta) > 0.05, $"ε = {bound.Epsilon} is not within 1e-5 of the largest rejected ε");
        }
    }

    // For r in the thousands the BigInteger loop above is slow: sum pmfs by the multiplicative recurrence from
    // the mode instead (a different route from the code under test, which uses log-factorials).
    private static double BruteForcePValueLarge(AuditCounts c, double epsilon, double delta)
    {
        var p = Math.Exp(epsilon) / (1 + Math.Exp(epsilon));
        var r = c.Guesses;
        var logPmf = new double[r + 1];
        for (var k = 1; k <= r; k++) logPmf[k] = logPmf[k - 1] + Math.Log((double)(r - k + 1) / k) + Math.Log(p / (1 - p));
        var shift = r * Math.Log(1 - p);
        double tail = 0;
        for (var k = c.Correct; k <= r; k++) tail += Math.Exp(logPmf[k] + shift);
        double best = 0, window = 0;
        for (var i = 1; i <= c.Correct; i++)
        {
            window += Math.Exp(logPmf[c.Correct - i] + shift);
            best = Math.Max(best, window / i);
        }
        return tail + 2 * c.Canaries * delta * best;
    }
}
