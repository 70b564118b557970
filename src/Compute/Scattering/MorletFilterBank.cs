using System.Numerics;

namespace Veil.Compute.Scattering;

/// <summary>
/// The filters of a scattering transform with J scales and L angles on a size × size grid (Kymatio's choices):
/// band-pass ψ_{j,θ} = Morlet(σ = 0.8·2^j, θ = (⌊L/2⌋ − 1 − θ)π/L, ξ = 3π/4·2^−j, slant = 4/L) for j &lt; J, θ &lt; L,
/// and the low-pass φ = Gabor(σ = 0.8·2^(J−1), ξ = 0). Each filter is used through the real part of its discrete
/// Fourier transform, i.e. its Hermitian part (ψ(x) + conj ψ(−x)) / 2 in space: <see cref="Spatial"/> gives that
/// kernel, <see cref="Fourier"/> its transform. Fixed and data-independent.
/// </summary>
public sealed class MorletFilterBank
{
    public MorletFilterBank(int size, int scales, int angles)
    {
        if (size < 2) throw new ArgumentOutOfRangeException(nameof(size), size, "the grid must be at least 2 × 2");
        if (scales < 1) throw new ArgumentOutOfRangeException(nameof(scales), scales, "J must be ≥ 1");
        if (angles < 1) throw new ArgumentOutOfRangeException(nameof(angles), angles, "L must be ≥ 1");
        (Size, Scales, Angles) = (size, scales, angles);
        BandPass = new Complex[scales * angles][];
        for (int j = 0; j < scales; j++)
        for (int t = 0; t < angles; t++)
        {
            double theta = (angles / 2 - 1 - t) * Math.PI / angles;
            BandPass[j * angles + t] = Hermitian(
                MorletWavelets.Morlet(size, size, 0.8 * Math.Pow(2, j), theta, 0.75 * Math.PI / Math.Pow(2, j), 4.0 / angles), size);
        }
        LowPass = Hermitian(MorletWavelets.Gabor(size, size, 0.8 * Math.Pow(2, scales - 1), 0, 0, 1), size);
    }

    public int Size { get; }
    public int Scales { get; }
    public int Angles { get; }

    /// <summary>Spatial kernels of ψ_{j,θ}, index j·L + θ, row-major [size, size], origin at (0, 0).</summary>
    public Complex[][] BandPass { get; }

    /// <summary>Spatial kernel of φ (real and even).</summary>
    public Complex[] LowPass { get; }

    /// <summary>The kernel of ψ_{j,θ}.</summary>
    public Complex[] Spatial(int j, int theta) => BandPass[j * Angles + theta];

    /// <summary>The discrete Fourier transform of a kernel: real, because each kernel is Hermitian.</summary>
    public double[] Fourier(Complex[] kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        int n = Size;
        var result = new double[n * n];
        var twiddle = new Complex[n];
        for (int k = 0; k < n; k++) twiddle[k] = Complex.FromPolarCoordinates(1, -2 * Math.PI * k / n);
        // Row transform then column transform: O(n³), once per filter.
        var rows = new Complex[n * n];
        for (int i = 0; i < n; i++)
        for (int v = 0; v < n; v++)
        {
            Complex sum = Complex.Zero;
            for (int k = 0; k < n; k++) sum += kernel[i * n + k] * twiddle[(v * k) % n];
            rows[i * n + v] = sum;
        }
        for (int u = 0; u < n; u++)
        for (int v = 0; v < n; v++)
        {
            Complex sum = Complex.Zero;
            for (int i = 0; i < n; i++) sum += rows[i * n + v] * twiddle[(u * i) % n];
            result[u * n + v] = sum.Real;
        }
        return result;
    }

    private static Complex[] Hermitian(Complex[] psi, int n)
    {
        var h = new Complex[psi.Length];
        for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++)
            h[i * n + k] = (psi[i * n + k] + Complex.Conjugate(psi[(n - i) % n * n + (n - k) % n])) / 2;
        return h;
    }
}
