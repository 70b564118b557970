using MathNet.Numerics;

namespace Veil.Ledger.Accountants.Numerics;

/// <summary>
/// Arithmetic on logarithms. Moment sums for high RDP orders overflow doubles by hundreds of orders of
/// magnitude, so every series is accumulated as log-sum-exp.
/// </summary>
public static class LogSpace
{
    /// <summary>log(e^a + e^b).</summary>
    public static double Add(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        var hi = Math.Max(a, b);
        return hi + Log1P(Math.Exp(Math.Min(a, b) - hi));
    }

    /// <summary>log(e^a − e^b) for a ≥ b.</summary>
    public static double Subtract(double a, double b)
    {
        if (b > a) throw new ArgumentException($"log-space subtraction would go negative (log a = {a}, log b = {b})");
        if (double.IsNegativeInfinity(b)) return a;
        if (a == b) return double.NegativeInfinity;
        var d = b - a; // < 0
        // log(1 − e^d): expm1 keeps precision when d is near 0, log1p when it is very negative.
        return a + (d > -0.693 ? Math.Log(-ExpM1(d)) : Log1P(-Math.Exp(d)));
    }

    /// <summary>log(erfc(x)), accurate where erfc itself underflows.</summary>
    public static double LogErfc(double x)
    {
        if (x < 25) return Math.Log(SpecialFunctions.Erfc(x));
        // Asymptotic series erfc(x) ≈ e^{−x²}/(x√π) Σ (−1)^n (2n−1)!!/(2x²)^n; at x ≥ 25 ten terms are exact to double precision.
        var inv = 1.0 / (2 * x * x);
        double sum = 1, term = 1;
        for (var n = 1; n <= 10; n++)
        {
            term *= -(2 * n - 1) * inv;
            sum += term;
        }
        return -x * x - Math.Log(x) - 0.5 * Math.Log(Math.PI) + Math.Log(sum);
    }

    /// <summary>log(1 + x) without cancellation near 0 (.NET's LogP1 is a plain log(x + 1)).</summary>
    public static double Log1P(double x)
    {
        var u = 1 + x;
        if (u == 1) return x;
        // Kahan: the rounding error of 1 + x cancels in log(u)·x / (u − 1).
        return Math.Abs(x) < 0.5 ? Math.Log(u) * x / (u - 1) : Math.Log(u);
    }

    /// <summary>e^x − 1 without cancellation near 0.</summary>
    public static double ExpM1(double x)
    {
        if (Math.Abs(x) >= 1) return Math.Exp(x) - 1;
        // Kahan: the rounding error of exp(x) cancels in (u − 1)·x / log(u).
        var u = Math.Exp(x);
        if (u == 1) return x;
        var um1 = u - 1;
        return um1 == -1 ? -1 : um1 * x / Math.Log(u);
    }
}
