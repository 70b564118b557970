using Veil.Ledger.Accountants.Rdp;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

/// <summary>
/// The series against the definition: A_α = E_{z∼N(0,σ²)}[((1−q) + q·e^{(2z−1)/(2σ²)})^α], integrated
/// numerically here, independently of both series.
/// </summary>
public class SubsampledGaussianRdpTests
{
    [Theory]
    [InlineData(0.04, 1.5, 2.0)]
    [InlineData(0.04, 1.5, 3.9)]
    [InlineData(0.01, 0.8, 1.5)]
    [InlineData(0.01, 0.8, 7.0)]
    [InlineData(0.2, 2.0, 10.5)]
    [InlineData(0.5, 4.0, 32.0)]
    [InlineData(0.001, 1.1, 63.0)]
    public void Series_equals_the_integral_definition(double q, double sigma, double alpha)
    {
        var expected = LogIntegral(q, sigma, alpha) / (alpha - 1);
        var actual = SubsampledGaussianRdp.At(q, sigma, alpha);
        Assert.True(Math.Abs(actual - expected) <= 1e-7 * expected, $"α={alpha}: series {actual:R}, integral {expected:R}");
    }

    [Fact]
    public void Orders_must_exceed_one() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SubsampledGaussianRdp.At(0.1, 1, 1.0));

    // Composite Simpson on [−40σ, 40σ + α/σ]: the integrand is smooth and its mass lies well inside.
    // Evaluated in log space (high orders overflow doubles) and returned as a logarithm.
    private static double LogIntegral(double q, double sigma, double alpha)
    {
        double lo = -40 * sigma, hi = 40 * sigma + alpha / sigma;
        const int n = 400_000;
        var h = (hi - lo) / n;
        var logF = new double[n + 1];
        for (var i = 0; i <= n; i++)
        {
            var z = lo + i * h;
            var logDensity = -z * z / (2 * sigma * sigma) - Math.Log(sigma * Math.Sqrt(2 * Math.PI));
            var x = (2 * z - 1) / (2 * sigma * sigma);
            // log((1−q) + q e^x), stable for both signs of x.
            var logRatio = x > 0 ? x + Math.Log(q + (1 - q) * Math.Exp(-x)) : Math.Log((1 - q) + q * Math.Exp(x));
            logF[i] = logDensity + alpha * logRatio;
        }
        var max = logF.Max();
        double sum = 0;
        for (var i = 0; i <= n; i++)
            sum += Math.Exp(logF[i] - max) * (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2);
        return max + Math.Log(sum * h / 3);
    }
}
