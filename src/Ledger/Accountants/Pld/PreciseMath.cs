namespace Veil.Ledger.Accountants.Pld;

/// <summary>
/// exp(x) − 1 and log(1 + x) without cancellation. .NET's double.ExpM1 / double.LogP1 are the naive
/// formulas, which lose every digit for the tiny per-step losses of a heavily subsampled mechanism.
/// </summary>
internal static class PreciseMath
{
    /// <summary>exp(x) − 1, accurate for small |x| (Kahan's correction: the rounding in exp is divided back out).</summary>
    public static double ExpM1(double x)
    {
        if (Math.Abs(x) > 0.5) return Math.Exp(x) - 1.0;
        var u = Math.Exp(x);
        if (u == 1.0) return x;
        var um1 = u - 1.0;
        if (um1 == -1.0) return -1.0;
        return um1 * x / Math.Log(u);
    }

    /// <summary>log(1 + x), accurate for small |x| (Goldberg's correction for the rounding of 1 + x).</summary>
    public static double Log1P(double x)
    {
        if (x == -1.0) return double.NegativeInfinity;
        if (double.IsPositiveInfinity(x)) return x;
        var u = 1.0 + x;
        if (u == 1.0) return x;
        return Math.Log(u) * x / (u - 1.0);
    }
}
