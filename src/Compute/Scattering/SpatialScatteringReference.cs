using System.Numerics;

namespace Veil.Compute.Scattering;

/// <summary>
/// The scattering transform of one image by direct circular convolution in space with the filter bank's kernels,
/// in double precision, no FFT: slow (O(P⁴) per convolution) and plain, the reference that
/// <see cref="ScatteringTransform"/> is tested against. Same padding, ordering and sampling.
/// </summary>
public static class SpatialScatteringReference
{
    /// <summary>One n × n image (row-major) → Channels × (n/2^J)² values.</summary>
    public static double[] Apply(double[] image, int imageSize, int scales, int angles)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Length != imageSize * imageSize) throw new ArgumentException($"{image.Length} values are not one {imageSize} × {imageSize} image");
        if (imageSize % (1 << scales) != 0) throw new ArgumentException($"the image side must be a multiple of 2^J = {1 << scales}");
        int step = 1 << scales, pad = step / 2, p = imageSize + step, s = imageSize / step;
        var bank = new MorletFilterBank(p, scales, angles);
        var x = new Complex[p * p];
        for (int i = 0; i < imageSize; i++)
        for (int k = 0; k < imageSize; k++)
            x[(i + pad) * p + k + pad] = image[i * imageSize + k];

        var output = new List<double>();
        void LowPass(Complex[] signal)
        {
            var smooth = Convolve(signal, bank.LowPass, p);
            for (int a = 1; a <= s; a++)
            for (int b = 1; b <= s; b++)
                output.Add(smooth[a * step * p + b * step].Real);
        }

        LowPass(x);
        var first = new Complex[scales, angles][];
        for (int j = 0; j < scales; j++)
        for (int t = 0; t < angles; t++)
        {
            first[j, t] = Modulus(Convolve(x, bank.Spatial(j, t), p));
            LowPass(first[j, t]);
        }
        for (int j1 = 0; j1 < scales; j1++)
        for (int t1 = 0; t1 < angles; t1++)
        for (int j2 = j1 + 1; j2 < scales; j2++)
        for (int t2 = 0; t2 < angles; t2++)
            LowPass(Modulus(Convolve(first[j1, t1], bank.Spatial(j2, t2), p)));
        return output.ToArray();
    }

    /// <summary>(f ⋆ h)(x) = Σ_u f(u) h(x − u), indices modulo p.</summary>
    public static Complex[] Convolve(Complex[] f, Complex[] h, int p)
    {
        var result = new Complex[p * p];
        for (int x0 = 0; x0 < p; x0++)
        for (int x1 = 0; x1 < p; x1++)
        {
            Complex sum = Complex.Zero;
            for (int u0 = 0; u0 < p; u0++)
            {
                int r = (x0 - u0 + p) % p * p;
                for (int u1 = 0; u1 < p; u1++)
                {
                    var v = f[u0 * p + u1];
                    if (v != Complex.Zero) sum += v * h[r + (x1 - u1 + p) % p];
                }
            }
            result[x0 * p + x1] = sum;
        }
        return result;
    }

    private static Complex[] Modulus(Complex[] z) => z.Select(v => new Complex(v.Magnitude, 0)).ToArray();
}
