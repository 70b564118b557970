using MathNet.Numerics;

namespace Veil.Ledger.Tests.Accountants;

/// <summary>
/// Closed-form privacy curves used as ground truth, written independently of the PLD code:
/// the exact Gaussian mechanism (Balle &amp; Wang 2018, Thm. 8) and the exact single-step hockey-stick
/// divergence of the Poisson-subsampled Gaussian in each adjacency direction.
/// </summary>
internal static class AnalyticGaussianMechanism
{
    private static double Cdf(double z) => 0.5 * SpecialFunctions.Erfc(-z / Math.Sqrt(2.0));

    /// <summary>δ(ε) = Φ(−ε/μ + μ/2) − e^ε·Φ(−ε/μ − μ/2) for a Gaussian mechanism with μ = sensitivity/σ.</summary>
    public static double Delta(double mu, double epsilon) =>
        Cdf(-epsilon / mu + mu / 2) - Math.Exp(epsilon) * Cdf(-epsilon / mu - mu / 2);

    /// <summary>Smallest ε ≥ 0 with δ(ε) ≤ delta, by bisection to 1e-13 (δ(ε) is decreasing).</summary>
    public static double Epsilon(double mu, double delta)
    {
        if (Delta(mu, 0.0) <= delta) return 0.0;
        double low = 0.0, high = 1.0;
        while (Delta(mu, high) > delta) high *= 2;
        while (high - low > 1e-13) 
        {
            var middle = 0.5 * (low + high);
            if (Delta(mu, middle) > delta) low = middle; else high = middle;
        }
        return high;
    }

    /// <summary>Exact δ(ε) of one Poisson-subsampled Gaussian step, "remove" direction: P = (1−q)N(0,σ²) + qN(1,σ²), Q = N(0,σ²).</summary>
    public static double SubsampledRemoveDelta(double sigma, double q, double epsilon)
    {
        // The loss exceeds ε exactly when x exceeds this threshold.
        var x = sigma * sigma * Math.Log((Math.Exp(epsilon) - (1 - q)) / q) + 0.5;
        var upperTailP = (1 - q) * Cdf(-x / sigma) + q * Cdf(-(x - 1) / sigma);
        return upperTailP - Math.Exp(epsilon) * Cdf(-x / sigma);
    }

    /// <summary>Exact δ(ε) of one Poisson-subsampled Gaussian step, "add" direction: P = N(0,σ²), Q = (1−q)N(0,σ²) + qN(1,σ²).</summary>
    public static double SubsampledAddDelta(double sigma, double q, double epsilon)
    {
        // The add loss is bounded by −log(1−q); above it nothing is left.
        if (Math.Exp(-epsilon) <= 1 - q) return 0.0;
        // The loss exceeds ε exactly when x is below this threshold.
        var x = sigma * sigma * Math.Log((Math.Exp(-epsilon) - (1 - q)) / q) + 0.5;
        var lowerTailQ = (1 - q) * Cdf(x / sigma) + q * Cdf((x - 1) / sigma);
        return Cdf(x / sigma) - Math.Exp(epsilon) * lowerTailQ;
    }
}
