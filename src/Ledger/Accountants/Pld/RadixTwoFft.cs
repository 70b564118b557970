using System.Collections.Concurrent;

namespace Veil.Ledger.Accountants.Pld;

/// <summary>
/// In-place iterative radix-2 complex FFT in double precision, on separate real and imaginary arrays
/// (plain arithmetic, so it stays fast even in unoptimised builds). Twiddle factors are each evaluated
/// directly, not by a rotation recurrence whose error grows with the length, and cached per size because
/// repeated squaring reuses the same few sizes many times.
/// </summary>
internal static class RadixTwoFft
{
    private static readonly ConcurrentDictionary<int, (double[] Cos, double[] Sin)> TwiddlesBySize = new();

    public static void Forward(double[] real, double[] imaginary) => Transform(real, imaginary, inverse: false);

    /// <summary>Inverse transform, including the 1/n scaling.</summary>
    public static void Inverse(double[] real, double[] imaginary)
    {
        Transform(real, imaginary, inverse: true);
        var scale = 1.0 / real.Length;
        for (var i = 0; i < real.Length; i++)
        {
            real[i] *= scale;
            imaginary[i] *= scale;
        }
    }

    public static bool IsPowerOfTwo(int n) => n > 0 && (n & (n - 1)) == 0;

    private static void Transform(double[] real, double[] imaginary, bool inverse)
    {
        var n = real.Length;
        if (imaginary.Length != n) throw new ArgumentException("real and imaginary parts differ in length", nameof(imaginary));
        if (!IsPowerOfTwo(n)) throw new ArgumentException($"length {n} is not a power of two", nameof(real));
        if (n == 1) return;

        ReorderByBitReversal(real, imaginary);
        var (cos, sin) = TwiddlesBySize.GetOrAdd(n, ComputeTwiddles);
        var sign = inverse ? -1.0 : 1.0;
        for (var span = 2; span <= n; span <<= 1)
        {
            var half = span >> 1;
            var stride = n / span;
            for (var start = 0; start < n; start += span)
            {
                for (var k = 0; k < half; k++)
                {
                    var wr = cos[k * stride];
                    var wi = sign * sin[k * stride];
                    var i = start + k;
                    var j = i + half;
                    var tr = real[j] * wr - imaginary[j] * wi;
                    var ti = real[j] * wi + imaginary[j] * wr;
                    real[j] = real[i] - tr;
                    imaginary[j] = imaginary[i] - ti;
                    real[i] += tr;
                    imaginary[i] += ti;
                }
            }
        }
    }

    private static void ReorderByBitReversal(double[] real, double[] imaginary)
    {
        var n = real.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            var bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j)
            {
                (real[i], real[j]) = (real[j], real[i]);
                (imaginary[i], imaginary[j]) = (imaginary[j], imaginary[i]);
            }
        }
    }

    /// <summary>e^{−2πik/n} for k &lt; n/2, as cosines and sines.</summary>
    private static (double[] Cos, double[] Sin) ComputeTwiddles(int n)
    {
        var cos = new double[n / 2];
        var sin = new double[n / 2];
        for (var k = 0; k < cos.Length; k++) (sin[k], cos[k]) = Math.SinCos(-2.0 * Math.PI * k / n);
        return (cos, sin);
    }
}
