using Veil.Compute.Noise;
using Veil.Ledger.Randomness;

namespace Veil.Compute.LastLayer;

/// <summary>
/// Poisson sampling for the head's SGD steps: each of N rows independently with probability q, from a keyed
/// stream (the run's secret seed, a purpose of its own, the step), so a batch is unpredictable without the
/// seed and a rerun draws the same batches. The batch size is Binomial(N, q) and is never used as a divisor.
/// </summary>
public static class PoissonSubsample
{
    const string Purpose = "veil/last-layer-sampling/v1";

    public static long[] Indices(int count, double samplingRate, NoiseSeed seed, long step)
    {
        ArgumentNullException.ThrowIfNull(seed);
        if (!(samplingRate > 0 && samplingRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(samplingRate), samplingRate, "sampling rate must be in (0, 1]");
        if (samplingRate == 1) return Enumerable.Range(0, count).Select(i => (long)i).ToArray();
        using var stream = new KeyedRandomStream(Purpose, seed.Bytes, step);
        var chosen = new List<long>((int)(count * samplingRate * 1.1) + 16);
        for (int i = 0; i < count; i++)
            if (stream.NextOpenUnit() < samplingRate) chosen.Add(i);
        return chosen.ToArray();
    }
}
