using System.Numerics;

namespace Veil.Compute.Scattering;

/// <summary>
/// The 2-D Gabor and Morlet wavelets of the scattering transform (Bruna and Mallat 2013; the Kymatio filter bank),
/// sampled on an m × n grid with the origin at index (0, 0) and periodised (the sum of the 5 × 5 nearest copies), so a
/// filter is a function on the torus and convolution with it is circular. Pure functions of (grid, σ, θ, ξ, slant):
/// no data enters them.
/// </summary>
public static class MorletWavelets
{
    /// <summary>
    /// exp(−xᵀ R D R⁻¹ x / 2σ² + i ξ (x cos θ + y sin θ)) / (2π σ² / slant), D = diag(1, slant²): a Gaussian envelope
    /// elongated across the direction θ, modulated at frequency ξ along it. Row-major [m, n].
    /// </summary>
    public static Complex[] Gabor(int m, int n, double sigma, double theta, double xi, double slant)
    {
        if (m < 1 || n < 1) throw new ArgumentOutOfRangeException(nameof(m), $"grid {m} × {n} must be at least 1 × 1");
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "σ must be > 0");
        double c = Math.Cos(theta), s = Math.Sin(theta), slant2 = slant * slant, twoSigma2 = 2 * sigma * sigma;
        // R·D·R⁻¹ / 2σ² written out (R the rotation by θ).
        double a = (c * c + slant2 * s * s) / twoSigma2;
        double b = (c * s - slant2 * c * s) / twoSigma2; // off-diagonal, appears twice in xᵀAx
        double d = (s * s + slant2 * c * c) / twoSigma2;
        double norm = 2 * Math.PI * sigma * sigma / slant;
        var filter = new Complex[(long)m * n];
        for (int ex = -2; ex <= 2; ex++)
        for (int ey = -2; ey <= 2; ey++)
        for (int i = 0; i < m; i++)
        {
            double x = i + ex * m;
            for (int k = 0; k < n; k++)
            {
                double y = k + ey * n;
                double envelope = -(a * x * x + 2 * b * x * y + d * y * y);
                double phase = xi * (x * c + y * s);
                filter[(long)i * n + k] += Complex.Exp(new Complex(envelope, phase)) / norm;
            }
        }
        return filter;
    }

    /// <summary>A Gabor wavelet minus the multiple of its envelope that makes its sum zero: a band-pass filter (no response to constants).</summary>
    public static Complex[] Morlet(int m, int n, double sigma, double theta, double xi, double slant)
    {
        var wave = Gabor(m, n, sigma, theta, xi, slant);
        var envelope = Gabor(m, n, sigma, theta, 0, slant);
        Complex waveSum = Complex.Zero, envelopeSum = Complex.Zero;
        foreach (var v in wave) waveSum += v;
        foreach (var v in envelope) envelopeSum += v;
        var k = waveSum / envelopeSum;
        for (int i = 0; i < wave.Length; i++) wave[i] -= k * envelope[i];
        return wave;
    }
}
