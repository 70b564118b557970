using Veil.Compute.Noise;
using Veil.Ledger.Randomness;

namespace Veil.Compute.LastLayer;

/// <summary>
/// Gaussian noise for the last-layer releases, drawn in double precision from the run's secret noise seed,
/// keyed by the release's name (and a block index), so each release has its own independent draw and a
/// rerun with the same seed redraws the same noise for the same release. Box–Muller on 53-bit uniforms.
/// </summary>
public static class ReleaseNoise
{
    const string Purpose = "veil/last-layer-noise/v1/";

    /// <summary>Adds i.i.d. N(0, std²) to every value.</summary>
    public static void AddGaussian(Span<double> values, double std, NoiseSeed seed, string release, long block = 0)
    {
        Check(std, seed, release);
        using var stream = new KeyedRandomStream(Purpose + release, seed.Bytes, block);
        for (int i = 0; i < values.Length; i += 2)
        {
            var (a, b) = Pair(stream);
            values[i] += std * a;
            if (i + 1 < values.Length) values[i + 1] += std * b;
        }
    }

    /// <summary>
    /// Adds symmetric noise to an n × n row-major matrix: i.i.d. N(0, std²) for each entry of the upper
    /// triangle (diagonal included), mirrored to the lower triangle. That is the Gaussian mechanism on the
    /// upper-triangle vector; the mirror is post-processing, and the result stays symmetric.
    /// </summary>
    public static void AddSymmetricGaussian(Span<double> matrix, int n, double std, NoiseSeed seed, string release, long block = 0)
    {
        Check(std, seed, release);
        if (n < 1 || matrix.Length != (long)n * n)
            throw new ArgumentException($"a symmetric matrix of order {n} has {(long)n * n} entries; got {matrix.Length}", nameof(matrix));
        using var stream = new KeyedRandomStream(Purpose + release, seed.Bytes, block);
        double spare = 0;
        bool hasSpare = false;
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++)
            {
                double z;
                if (hasSpare) (z, hasSpare) = (spare, false);
                else
                {
                    (z, spare) = Pair(stream);
                    hasSpare = true;
                }
                double e = std * z;
                matrix[i * n + j] += e;
                if (j != i) matrix[j * n + i] += e;
            }
    }

    static (double, double) Pair(KeyedRandomStream stream)
    {
        double radius = Math.Sqrt(-2.0 * Math.Log(stream.NextOpenUnit()));
        double angle = 2.0 * Math.PI * stream.NextOpenUnit();
        return (radius * Math.Cos(angle), radius * Math.Sin(angle));
    }

    static void Check(double std, NoiseSeed seed, string release)
    {
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentException.ThrowIfNullOrWhiteSpace(release);
        if (!(std >= 0) || !double.IsFinite(std)) throw new ArgumentOutOfRangeException(nameof(std), std, "noise std must be finite and >= 0");
    }
}
