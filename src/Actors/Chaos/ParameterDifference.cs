namespace Veil.Actors.Chaos;

/// <summary>How far two runs' parameters are apart, for "the cluster run equals the single-node run" checks.</summary>
public static class ParameterDifference
{
    /// <summary>max |a − b| / max |b|: parameters equal up to floating-point summation order; ∞ if the lengths differ.</summary>
    public static double Relative(float[] a, float[] b)
    {
        if (a.Length != b.Length) return double.PositiveInfinity;
        double diff = 0, scale = 1e-12;
        for (var i = 0; i < a.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs(a[i] - b[i]));
            scale = Math.Max(scale, Math.Abs(b[i]));
        }
        return diff / scale;
    }
}
