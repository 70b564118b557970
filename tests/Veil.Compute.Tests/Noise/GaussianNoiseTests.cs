using MathNet.Numerics.Distributions;
using Veil.Compute.Noise;
using Xunit;

namespace Veil.Compute.Tests.Noise;

/// <summary>
/// Statistical tests at a FIXED seed (NoiseSeed.FromInt64(20240601), step 3), so they are deterministic.
/// Each threshold is set for a false-failure rate of 1e-5 per test were the seed random
/// (|z| ≤ 4.417 two-sided; KS: D·√n ≤ 2.468), i.e. it catches a wrong mean, scale, shape or correlation
/// while an honest generator would essentially never fail.
/// </summary>
public sealed class GaussianNoiseTests
{
    const int Coordinates = 200_000;
    const double Sigma = 1.3, ClipNorm = 0.7, Std = Sigma * ClipNorm;
    const double ZCritical = 4.417;    // two-sided P(|Z| > z) = 1e-5
    const double KsCritical = 2.468;   // P(√n·D > k) ≈ 2·exp(−2k²) = 1e-5
    static readonly NoiseSeed Seed = NoiseSeed.FromInt64(20240601);

    static double[] Draw(long step = 3)
    {
        var values = new float[Coordinates];
        GaussianNoise.AddTo(values, Sigma, ClipNorm, Seed, step);
        return values.Select(v => (double)v).ToArray();
    }

    [Fact]
    public void Noise_has_mean_zero_by_a_z_test()
    {
        var x = Draw();
        double z = x.Average() / (Std / Math.Sqrt(Coordinates));
        Assert.True(Math.Abs(z) <= ZCritical, $"z = {z:F3}");
    }

    [Fact]
    public void Noise_has_standard_deviation_sigma_times_C_by_a_chi_square_test()
    {
        var x = Draw();
        // Σ x²/s² ~ χ²(n) (mean known to be 0); for n = 2·10⁵ it is normal with mean n, variance 2n to high accuracy.
        double chiSquare = x.Sum(v => v * v) / (Std * Std);
        double z = (chiSquare - Coordinates) / Math.Sqrt(2.0 * Coordinates);
        Assert.True(Math.Abs(z) <= ZCritical, $"χ² = {chiSquare:F1}, z = {z:F3}, sample std {Math.Sqrt(x.Sum(v => v * v) / Coordinates):F5} vs σC = {Std}");
    }

    [Fact]
    public void Noise_is_normal_by_a_Kolmogorov_Smirnov_test()
    {
        var x = Draw();
        Array.Sort(x);
        double d = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double f = Normal.CDF(0, Std, x[i]);
            d = Math.Max(d, Math.Max(f - (double)i / x.Length, (double)(i + 1) / x.Length - f));
        }
        Assert.True(d * Math.Sqrt(x.Length) <= KsCritical, $"√n·D = {d * Math.Sqrt(x.Length):F3}");
    }

    [Fact]
    public void Neighbouring_coordinates_are_uncorrelated()
    {
        var x = Draw();
        double r = 0;
        for (int i = 0; i + 1 < x.Length; i++) r += x[i] * x[i + 1];
        double z = r / (Std * Std) / Math.Sqrt(x.Length - 1); // each product has variance s⁴
        Assert.True(Math.Abs(z) <= ZCritical, $"lag-1 z = {z:F3}");
    }

    [Fact]
    public void The_same_seed_and_step_redraw_identical_noise()
    {
        Assert.Equal(Draw(step: 7), Draw(step: 7));
    }

    [Fact]
    public void A_different_step_or_seed_draws_different_noise()
    {
        var a = Draw(step: 7);
        var b = Draw(step: 8);
        Assert.True(a.Zip(b).Count(p => p.First == p.Second) < 10);
        var other = new float[Coordinates];
        GaussianNoise.AddTo(other, Sigma, ClipNorm, NoiseSeed.FromInt64(20240602), 7);
        Assert.True(a.Zip(other).Count(p => p.First == (double)p.Second) < 10);
    }

    [Fact]
    public void Noise_is_added_to_the_values_not_written_over_them()
    {
        var values = Enumerable.Range(0, 1001).Select(i => (float)i).ToArray();
        var noise = new float[1001];
        GaussianNoise.AddTo(values, Sigma, ClipNorm, Seed, 1);
        GaussianNoise.AddTo(noise, Sigma, ClipNorm, Seed, 1);
        for (int i = 0; i < values.Length; i++) Assert.Equal(i + noise[i], values[i], 1e-3f);
    }

    [Fact]
    public void Csprng_seeds_differ_and_round_trip_through_hex_without_printing_the_secret()
    {
        var a = NoiseSeed.FromCsprng();
        var b = NoiseSeed.FromCsprng();
        Assert.NotEqual(a, b);
        Assert.Equal(a, NoiseSeed.FromHex(a.ToHex()));
        Assert.DoesNotContain(a.ToHex(), a.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_re_released_step_gets_independent_noise_of_the_same_scale()
    {
        var first = Draw(step: 7);
        var again = new float[Coordinates];
        GaussianNoise.AddTo(again, Sigma, ClipNorm, Seed.ForRelease(1), 7);
        Assert.True(first.Zip(again).Count(p => p.First == (double)p.Second) < 10);
        Assert.Same(Seed, Seed.ForRelease(0)); // the first release of a step draws as it always did
        // Same standard deviation (a z-test on the variance, at the class's 1e-5 false-failure rate) and uncorrelated with the first draw.
        var variance = again.Select(v => (double)v * v).Average();
        Assert.True(Math.Abs(variance / (Std * Std) - 1) * Math.Sqrt(Coordinates / 2.0) <= ZCritical, $"variance {variance} vs {Std * Std}");
        var correlation = first.Zip(again, (x, y) => x * y).Average() / (Std * Std);
        Assert.True(Math.Abs(correlation) * Math.Sqrt(Coordinates) <= ZCritical, $"correlation {correlation}");
    }
}
