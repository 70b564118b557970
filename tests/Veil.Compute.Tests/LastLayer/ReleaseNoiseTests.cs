using Veil.Compute.LastLayer;
using Veil.Compute.Noise;
using Xunit;

namespace Veil.Compute.Tests.LastLayer;

/// <summary>
/// Statistical tests at a FIXED seed (NoiseSeed.FromInt64(20261123)), so they are deterministic. Thresholds are set
/// for a false-failure rate of 1e-5 per test were the seed random (|z| ≤ 4.417 two-sided).
/// </summary>
public class ReleaseNoiseTests
{
    private const double ZCritical = 4.417;
    private static readonly NoiseSeed Seed = NoiseSeed.FromInt64(20261123);

    private static void AssertStandardNormalScaled(IReadOnlyList<double> draws, double std)
    {
        int n = draws.Count;
        double meanZ = draws.Average() / (std / Math.Sqrt(n));
        Assert.True(Math.Abs(meanZ) <= ZCritical, $"mean z = {meanZ:F3}");
        // Σ x²/s² ~ χ²(n), normal with mean n and variance 2n for large n.
        double chi = draws.Sum(v => v * v) / (std * std);
        double z = (chi - n) / Math.Sqrt(2.0 * n);
        Assert.True(Math.Abs(z) <= ZCritical, $"χ² z = {z:F3}; sample std {Math.Sqrt(draws.Sum(v => v * v) / n):F5} vs {std}");
    }

    [Fact]
    public void Plain_release_noise_has_mean_zero_and_the_stated_std()
    {
        var values = new double[100_001];
        ReleaseNoise.AddGaussian(values, 2.5, Seed, "targets");
        AssertStandardNormalScaled(values, 2.5);
    }

    [Fact]
    public void Symmetric_release_noise_is_symmetric_with_iid_upper_triangle_of_the_stated_std()
    {
        const int n = 300;
        var matrix = new double[n * n];
        ReleaseNoise.AddSymmetricGaussian(matrix, n, 0.8, Seed, "covariance");
        var upper = new List<double>();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                Assert.Equal(matrix[i * n + j], matrix[j * n + i]);
                if (j >= i) upper.Add(matrix[i * n + j]);
            }
        AssertStandardNormalScaled(upper, 0.8); // 45 150 independent entries, diagonal included
        AssertStandardNormalScaled(Enumerable.Range(0, n).Select(i => matrix[i * n + i]).ToArray(), 0.8);
        double lag = 0;
        for (int k = 0; k + 1 < upper.Count; k++) lag += upper[k] * upper[k + 1];
        double lagZ = lag / (0.8 * 0.8) / Math.Sqrt(upper.Count - 1);
        Assert.True(Math.Abs(lagZ) <= ZCritical, $"lag-1 z = {lagZ:F3}");
    }

    [Fact]
    public void The_same_release_redraws_the_same_noise_and_other_releases_or_blocks_draw_other_noise()
    {
        double[] Draw(string release, long block = 0)
        {
            var v = new double[64];
            ReleaseNoise.AddGaussian(v, 1, Seed, release, block);
            return v;
        }
        Assert.Equal(Draw("sgd[3]"), Draw("sgd[3]"));
        Assert.NotEqual(Draw("sgd[3]"), Draw("sgd[4]"));
        Assert.NotEqual(Draw("hessian[0]", 1), Draw("hessian[0]", 2));
    }

    [Fact]
    public void Poisson_batches_have_binomial_sizes_and_differ_between_steps()
    {
        // Σ over 400 steps of |B_t| ~ Binomial(400·N, q): z test at the stated rate.
        const int count = 5000, steps = 400;
        const double q = 0.03;
        long total = 0;
        for (int t = 0; t < steps; t++) total += PoissonSubsample.Indices(count, q, Seed, t).Length;
        double trials = (double)count * steps;
        double z = (total - trials * q) / Math.Sqrt(trials * q * (1 - q));
        Assert.True(Math.Abs(z) <= ZCritical, $"z = {z:F3}");
        Assert.NotEqual(PoissonSubsample.Indices(count, q, Seed, 0), PoissonSubsample.Indices(count, q, Seed, 1));
        Assert.Equal(count, PoissonSubsample.Indices(count, 1.0, Seed, 0).Length);
    }
}
