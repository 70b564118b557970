using Veil.Ledger.Accountants.Numerics;

namespace Veil.Ledger.Accountants.Rdp;

/// <summary>
/// Rényi DP of one step of the Poisson-subsampled Gaussian mechanism (sensitivity 1, noise multiplier σ,
/// sampling rate q) at order α: RDP(α) = log A_α / (α − 1) (Mironov, Talwar, Zhang 2019).
/// </summary>
public static class SubsampledGaussianRdp
{
    private const double MaxDigitsLost = 8;

    public static double At(double samplingRate, double noiseMultiplier, double order)
    {
        if (order <= 1) throw new ArgumentOutOfRangeException(nameof(order), order, "RDP orders must be > 1");
        if (double.IsPositiveInfinity(order)) return double.PositiveInfinity;
        var q = samplingRate;
        var sigma = noiseMultiplier;
        // Without subsampling the Gaussian's RDP is exact and closed-form.
        if (q == 1) return order / (2 * sigma * sigma);
        if (IsInteger(order)) return LogAIntegerOrder(q, sigma, (long)order) / (order - 1);
        var (logA, logMagnitude) = LogAFractionalOrder(q, sigma, order);
        // The fractional series alternates; with large σ and α its terms cancel catastrophically (float64
        // keeps ~16 digits of Σ|terms|). When fewer than ~8 digits survive, or the sum went non-positive,
        // fall back to the next integer order: RDP is non-decreasing in α, so that is a safe upper bound,
        // and its series has only positive terms.
        if (double.IsNaN(logA) || logA < 0 || logMagnitude - logA > MaxDigitsLost * Math.Log(10))
            return LogAIntegerOrder(q, sigma, (long)Math.Ceiling(order)) / (Math.Ceiling(order) - 1);
        return logA / (order - 1);
    }

    /// <summary>
    /// A_α = Σ_{k=0..α} C(α,k) (1−q)^{α−k} q^k exp((k²−k)/(2σ²)): the binomial expansion of
    /// E_{z∼μ0}[(μ(z)/μ0(z))^α], exact for integer α.
    /// </summary>
    private static double LogAIntegerOrder(double q, double sigma, long alpha)
    {
        var logQ = Math.Log(q);
        var log1MinusQ = LogSpace.Log1P(-q);
        var twoSigma2 = 2 * sigma * sigma;
        var logA = double.NegativeInfinity;
        var logBinomial = 0.0; // log C(α, 0)
        for (long k = 0; k <= alpha; k++)
        {
            if (k > 0) logBinomial += Math.Log((double)(alpha - k + 1)) - Math.Log(k);
            var term = logBinomial + k * logQ + (alpha - k) * log1MinusQ + (k * (double)k - k) / twoSigma2;
            logA = LogSpace.Add(logA, term);
        }
        return logA;
    }

    /// <summary>
    /// Fractional α: the integral splits at z0 = σ² log(1/q − 1) + 1/2, and each half is a convergent
    /// series in the generalised binomial coefficients C(α, i), whose signs alternate once i &gt; α.
    /// Summed until both new terms fall below e^{−30} of unit scale, as the published implementations do.
    /// </summary>
    /// <returns>log A_α (NaN if a partial sum went negative) and log Σ|terms|, the scale rounding errors live on.</returns>
    private static (double LogA, double LogMagnitude) LogAFractionalOrder(double q, double sigma, double alpha)
    {
        var logQ = Math.Log(q);
        var log1MinusQ = LogSpace.Log1P(-q);
        var sigma2 = sigma * sigma;
        var z0 = sigma2 * Math.Log(1 / q - 1) + 0.5;
        var sqrt2Sigma = Math.Sqrt(2) * sigma;
        double logA0 = double.NegativeInfinity, logA1 = double.NegativeInfinity, logMagnitude = double.NegativeInfinity;
        double logAbsCoef = 0; // log |C(α, 0)|
        var coefSign = 1;
        for (var i = 0; ; i++)
        {
            if (i > 0)
            {
                var factor = alpha - i + 1;
                logAbsCoef += Math.Log(Math.Abs(factor)) - Math.Log(i);
                if (factor < 0) coefSign = -coefSign;
            }
            var j = alpha - i;
            var logT0 = logAbsCoef + i * logQ + j * log1MinusQ;
            var logT1 = logAbsCoef + j * logQ + i * log1MinusQ;
            var logE0 = Math.Log(0.5) + LogSpace.LogErfc((i - z0) / sqrt2Sigma);
            var logE1 = Math.Log(0.5) + LogSpace.LogErfc((z0 - j) / sqrt2Sigma);
            var logS0 = logT0 + (i * (double)i - i) / (2 * sigma2) + logE0;
            var logS1 = logT1 + (j * j - j) / (2 * sigma2) + logE1;
            if (coefSign > 0)
            {
                logA0 = LogSpace.Add(logA0, logS0);
                logA1 = LogSpace.Add(logA1, logS1);
            }
            else
            {
                if (logS0 > logA0 || logS1 > logA1) return (double.NaN, logMagnitude);
                logA0 = LogSpace.Subtract(logA0, logS0);
                logA1 = LogSpace.Subtract(logA1, logS1);
            }
            logMagnitude = LogSpace.Add(logMagnitude, LogSpace.Add(logS0, logS1));
            if (Math.Max(logS0, logS1) < -30) break;
            if (i > 100_000) throw new InvalidOperationException($"RDP series did not converge (q={q}, σ={sigma}, α={alpha})");
        }
        return (LogSpace.Add(logA0, logA1), logMagnitude);
    }

    private static bool IsInteger(double x) => x == Math.Floor(x) && x < long.MaxValue;
}
