using System.Numerics;

namespace Veil.Ledger.Accountants.Pld;

/// <summary>
/// Linear convolution of two real mass vectors. Large inputs go through one complex FFT carrying both
/// vectors (a + i·b), so a convolution costs two transforms instead of three. The output buffer is at
/// least the full linear length, so nothing wraps around.
/// </summary>
internal static class FftConvolution
{
    // Below this many entries in the shorter input, the exact O(n·m) sum is cheaper than transforms and has no round-off floor.
    private const int DirectSumThreshold = 64;

    // 2^25 complex values are 512 MiB: beyond that a history needs a coarser discretisation interval, not more memory.
    private const int LargestTransform = 1 << 25;

    public static double[] Convolve(double[] a, double[] b)
    {
        if (a.Length == 0 || b.Length == 0) return [];
        var resultLength = checked(a.Length + b.Length - 1);
        if (Math.Min(a.Length, b.Length) <= DirectSumThreshold) return ConvolveDirectly(a, b);

        var size = TransformSizeFor(resultLength);
        var packed = new Complex[size];
        for (var i = 0; i < a.Length; i++) packed[i] = new Complex(a[i], 0.0);
        for (var i = 0; i < b.Length; i++) packed[i] = new Complex(packed[i].Real, b[i]);
        RadixTwoFft.Forward(packed);

        // With Z = FFT(a + i·b): A_k = (Z_k + conj Z_{-k})/2 and B_k = (Z_k − conj Z_{-k})/(2i),
        // so A_k·B_k = (Z_k² − (conj Z_{-k})²)/(4i).
        var product = new Complex[size];
        var quarterOverI = new Complex(0.0, -0.25);
        for (var k = 0; k < size; k++)
        {
            var zk = packed[k];
            var mirrored = Complex.Conjugate(packed[(size - k) & (size - 1)]);
            product[k] = (zk * zk - mirrored * mirrored) * quarterOverI;
        }
        return RealPartOfInverse(product, resultLength);
    }

    public static double[] Square(double[] a)
    {
        if (a.Length == 0) return [];
        var resultLength = checked(2 * a.Length - 1);
        if (a.Length <= DirectSumThreshold) return ConvolveDirectly(a, a);

        var spectrum = new Complex[TransformSizeFor(resultLength)];
        for (var i = 0; i < a.Length; i++) spectrum[i] = new Complex(a[i], 0.0);
        RadixTwoFft.Forward(spectrum);
        for (var k = 0; k < spectrum.Length; k++) spectrum[k] *= spectrum[k];
        return RealPartOfInverse(spectrum, resultLength);
    }

    internal static double[] ConvolveDirectly(double[] a, double[] b)
    {
        var result = new double[a.Length + b.Length - 1];
        for (var i = 0; i < a.Length; i++)
        {
            var ai = a[i];
            if (ai == 0.0) continue;
            for (var j = 0; j < b.Length; j++) result[i + j] += ai * b[j];
        }
        return result;
    }

    private static int TransformSizeFor(int resultLength)
    {
        if (resultLength > LargestTransform)
            throw new InvalidOperationException(
                $"A privacy loss distribution with {resultLength} grid points is too large to convolve; use a coarser value discretisation interval.");
        var size = 1;
        while (size < resultLength) size <<= 1;
        return size;
    }

    private static double[] RealPartOfInverse(Complex[] spectrum, int resultLength)
    {
        RadixTwoFft.Inverse(spectrum);
        var result = new double[resultLength];
        for (var i = 0; i < resultLength; i++) result[i] = spectrum[i].Real;
        return result;
    }
}
