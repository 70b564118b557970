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
        var real = new double[size];
        var imaginary = new double[size];
        a.CopyTo(real, 0);
        b.CopyTo(imaginary, 0);
        RadixTwoFft.Forward(real, imaginary);

        // With Z = FFT(a + i·b): A_k = (Z_k + conj Z_{-k})/2 and B_k = (Z_k − conj Z_{-k})/(2i),
        // so A_k·B_k = (Z_k² − (conj Z_{-k})²)/(4i). Pairs (k, −k) are done together because each
        // overwrites the other's input.
        var mask = size - 1;
        for (var k = 0; k <= size / 2; k++)
        {
            var m = (size - k) & mask;
            double zr = real[k], zi = imaginary[k], yr = real[m], yi = imaginary[m];
            // (x + iy)/(4i) = (y − ix)/4, with x + iy = Z_k² − conj(Z_m)².
            var x = zr * zr - zi * zi - (yr * yr - yi * yi);
            var y = 2 * zr * zi + 2 * yr * yi;
            real[k] = 0.25 * y;
            imaginary[k] = -0.25 * x;
            if (m == k) continue;
            // The product at m is the conjugate of the one at k: the convolution of two real vectors is real.
            real[m] = 0.25 * y;
            imaginary[m] = 0.25 * x;
        }
        return RealPartOfInverse(real, imaginary, resultLength);
    }

    public static double[] Square(double[] a)
    {
        if (a.Length == 0) return [];
        var resultLength = checked(2 * a.Length - 1);
        if (a.Length <= DirectSumThreshold) return ConvolveDirectly(a, a);

        var size = TransformSizeFor(resultLength);
        var real = new double[size];
        var imaginary = new double[size];
        a.CopyTo(real, 0);
        RadixTwoFft.Forward(real, imaginary);
        for (var k = 0; k < size; k++)
        {
            double zr = real[k], zi = imaginary[k];
            real[k] = zr * zr - zi * zi;
            imaginary[k] = 2 * zr * zi;
        }
        return RealPartOfInverse(real, imaginary, resultLength);
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

    private static double[] RealPartOfInverse(double[] real, double[] imaginary, int resultLength)
    {
        RadixTwoFft.Inverse(real, imaginary);
        return real.AsSpan(0, resultLength).ToArray();
    }
}
