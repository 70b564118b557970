using Veil.Ledger.Randomness;

namespace Veil.Compute.Noise;

/// <summary>
/// The Gaussian mechanism's noise: N(0, (σC)²) added i.i.d. to every coordinate of the clipped sum, once per
/// logical batch. Draws come from a stream keyed by (seed, step), so the same step always gets the same noise
/// (a resumed run cannot add a second, different draw for a step it already released) and different steps get
/// independent noise. Normals by Box–Muller in double precision from 53-bit uniforms; the sum is formed in
/// double and rounded once to float.
/// </summary>
public static class GaussianNoise
{
    const string Purpose = "veil/gaussian-noise/v1";

    public static void AddTo(float[] values, double noiseMultiplier, double clipNorm, NoiseSeed seed, long step)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(seed);
        if (!(noiseMultiplier >= 0) || double.IsInfinity(noiseMultiplier))
            throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, "σ must be finite and non-negative.");
        if (!(clipNorm > 0) || double.IsInfinity(clipNorm))
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "C must be positive and finite.");
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "Steps count from 0.");

        double std = noiseMultiplier * clipNorm;
        using var stream = new KeyedRandomStream(Purpose, seed.Bytes, step);
        for (int i = 0; i < values.Length; i += 2)
        {
            // Box–Muller: u1 ∈ (0,1) so the logarithm is finite; one pair of uniforms gives two independent normals.
            double radius = Math.Sqrt(-2.0 * Math.Log(stream.NextOpenUnit()));
            double angle = 2.0 * Math.PI * stream.NextOpenUnit();
            values[i] = (float)(values[i] + std * radius * Math.Cos(angle));
            if (i + 1 < values.Length) values[i + 1] = (float)(values[i + 1] + std * radius * Math.Sin(angle));
        }
    }
}
