using MathNet.Numerics.Distributions;
using Veil.DataLoading.Sampling;
using Xunit;
using Xunit.Abstractions;

namespace Veil.DataLoading.Tests.Sampling;

/// <summary>
/// Statistical tests of Poisson sampling (docs/science.md: "batch sizes are Binomial(N, q): test the
/// distribution, not just the mean"). Seeds are fixed, so each test is deterministic; the stated
/// false-failure rate is the chance that a correct sampler fails for a seed picked at random:
/// α = 0.001 per chi-square test, below 1e-5 for the z-bounds.
/// </summary>
public sealed class PoissonSamplerDistributionTests(ITestOutputHelper output)
{
    private const double Alpha = 0.001;

    [Theory]
    [InlineData(1000, 0.05, 4000, 20251123UL)]        // the ordinary regime
    [InlineData(1_000_000, 1e-4, 1000, 7UL)]          // tiny q over a large N: the O(batch) regime of real runs
    [InlineData(60, 0.5, 4000, 11UL)]                 // q large, where a geometric-gap off-by-one shows most
    public void Batch_sizes_follow_Binomial_N_q_by_chi_square(int n, double q, int steps, ulong seed)
    {
        var sampler = new PoissonSampler(n, q, SamplerSeed.FromUInt64(seed));
        var observed = new Dictionary<int, int>();
        for (long step = 0; step < steps; step++)
        {
            int size = sampler.Sample(step).Length;
            observed[size] = observed.GetValueOrDefault(size) + 1;
        }

        var binomial = new Binomial(q, n);
        List<(int From, int To)> bins = BinsWithExpectedAtLeast(5, binomial, n, steps);
        double chiSquare = 0;
        foreach ((int from, int to) in bins)
        {
            double expected = steps * (binomial.CumulativeDistribution(to) - (from == 0 ? 0 : binomial.CumulativeDistribution(from - 1)));
            int count = observed.Where(kv => kv.Key >= from && kv.Key <= to).Sum(kv => kv.Value);
            chiSquare += (count - expected) * (count - expected) / expected;
        }
        int degrees = bins.Count - 1;
        double critical = ChiSquared.InvCDF(degrees, 1 - Alpha);
        output.WriteLine($"{{\"n\":{n},\"q\":{q},\"steps\":{steps},\"seed\":{seed},\"bins\":{bins.Count},\"chi2\":{chiSquare:F2},\"critical\":{critical:F2}}}");

        Assert.True(degrees >= 5, $"only {bins.Count} bins: the test would have no power");
        Assert.True(chiSquare < critical, $"χ² = {chiSquare:F2} ≥ {critical:F2} (df {degrees}, α {Alpha}): batch sizes are not Binomial({n}, {q})");
    }

    [Fact]
    public void Every_example_is_included_with_frequency_q()
    {
        const int n = 500, steps = 4000;
        const double q = 0.1;
        const ulong seed = 99;
        var sampler = new PoissonSampler(n, q, SamplerSeed.FromUInt64(seed));
        var counts = new int[n];
        long followedByNext = 0, included = 0;   // for P(i+1 ∈ B | i ∈ B)
        for (long step = 0; step < steps; step++)
        {
            var batch = sampler.Sample(step);
            var members = batch.ToHashSet();
            foreach (int i in batch)
            {
                counts[i]++;
                if (i + 1 < n) { included++; if (members.Contains(i + 1)) followedByNext++; }
            }
        }

        // Counts are independent Binomial(steps, q): their standardised squares sum to ≈ χ²(n).
        double mean = steps * q, variance = steps * q * (1 - q);
        double chiSquare = counts.Sum(c => (c - mean) * (c - mean) / variance);
        double critical = ChiSquared.InvCDF(n, 1 - Alpha);
        output.WriteLine($"{{\"seed\":{seed},\"chi2\":{chiSquare:F1},\"critical\":{critical:F1},\"first\":{counts[0]},\"last\":{counts[^1]},\"mean\":{mean}}}");
        Assert.True(chiSquare < critical, $"per-example inclusion χ² = {chiSquare:F1} ≥ {critical:F1} (df {n}, α {Alpha})");

        // The edges are where a gap off-by-one would show: 5 standard deviations (false failure < 1e-6 each).
        Assert.InRange(counts[0], mean - 5 * Math.Sqrt(variance), mean + 5 * Math.Sqrt(variance));
        Assert.InRange(counts[^1], mean - 5 * Math.Sqrt(variance), mean + 5 * Math.Sqrt(variance));

        // Independence of neighbours: a member's successor is a member with probability q.
        double conditional = (double)followedByNext / included;
        double standardError = Math.Sqrt(q * (1 - q) / included);
        Assert.InRange(conditional, q - 5 * standardError, q + 5 * standardError);
    }

    /// <summary>Consecutive size ranges, each with expected count ≥ <paramref name="minimum"/>; the tails are merged in.</summary>
    private static List<(int From, int To)> BinsWithExpectedAtLeast(double minimum, Binomial binomial, int n, int steps)
    {
        var bins = new List<(int From, int To)>();
        int from = 0;
        double accumulated = 0;
        for (int k = 0; k <= n; k++)
        {
            accumulated += steps * binomial.Probability(k);
            double rest = steps * (1 - binomial.CumulativeDistribution(k));
            if (accumulated >= minimum && rest >= minimum)
            {
                bins.Add((from, k));
                from = k + 1;
                accumulated = 0;
            }
        }
        bins.Add((from, n));   // the upper tail, ≥ minimum by construction
        return bins;
    }
}
