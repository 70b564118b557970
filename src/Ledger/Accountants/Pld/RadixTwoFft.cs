using System.Collections.Concurrent;
using System.Numerics;

namespace Veil.Ledger.Accountants.Pld;

/// <summary>
/// In-place iterative radix-2 complex FFT in double precision. Twiddle factors are each evaluated
/// directly (not by a rotation recurrence, whose error grows with the length) and cached per size,
/// because repeated squaring reuses the same few sizes many times.
/// </summary>
internal static class RadixTwoFft
{
    private static readonly ConcurrentDictionary<int, Complex[]> TwiddlesBySize = new();

    public static void Forward(Complex[] data) => Transform(data, inverse: false);

    /// <summary>Inverse transform, including the 1/n scaling.</summary>
    public static void Inverse(Complex[] data)
    {
        Transform(data, inverse: true);
        var scale = 1.0 / data.Length;
        for (var i = 0; i < data.Length; i++) data[i] *= scale;
    }

    public static bool IsPowerOfTwo(int n) => n > 0 && (n & (n - 1)) == 0;

    private static void Transform(Complex[] data, bool inverse)
    {
        var n = data.Length;
        if (!IsPowerOfTwo(n)) throw new ArgumentException($"length {n} is not a power of two", nameof(data));
        if (n == 1) return;

        ReorderByBitReversal(data);
        var twiddles = TwiddlesBySize.GetOrAdd(n, ComputeTwiddles);
        for (var span = 2; span <= n; span <<= 1)
        {
            var half = span >> 1;
            var stride = n / span;
            for (var start = 0; start < n; start += span)
            {
                for (var k = 0; k < half; k++)
                {
                    var w = twiddles[k * stride];
                    if (inverse) w = Complex.Conjugate(w);
                    var even = data[start + k];
                    var odd = data[start + k + half] * w;
                    data[start + k] = even + odd;
                    data[start + k + half] = even - odd;
                }
            }
        }
    }

    private static void ReorderByBitReversal(Complex[] data)
    {
        var n = data.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            var bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) (data[i], data[j]) = (data[j], data[i]);
        }
    }

    /// <summary>e^{−2πik/n} for k &lt; n/2.</summary>
    private static Complex[] ComputeTwiddles(int n)
    {
        var twiddles = new Complex[n / 2];
        for (var k = 0; k < twiddles.Length; k++)
        {
            var (sin, cos) = Math.SinCos(-2.0 * Math.PI * k / n);
            twiddles[k] = new Complex(cos, sin);
        }
        return twiddles;
    }
}
