using Veil.Ledger.Randomness;
using Veil.Ledger.Store;

namespace Veil.DataLoading.Sampling;

/// <summary>
/// Poisson sampling for DP-SGD: at every step each of the N examples joins the batch
/// independently with probability q, so the batch size is Binomial(N, q) and may be zero. This
/// is the mechanism the accountants analyse; fixed-size shuffled batches are a different one.
///
/// The batch of step s depends only on (seed, s) (an AES-CTR <see cref="KeyedRandomStream"/>), so a
/// resumed run redraws the same batch, unless that step was already released: a re-release draws
/// with the seed of its release count (<see cref="SamplerSeed.ForRelease"/>), a
/// fresh independent sample. Members are found by geometric gaps: the distance to the
/// next member is Geometric(q), drawn as ⌊ln u / ln(1−q)⌋, which is exactly the same distribution
/// as N Bernoulli(q) coins but costs O(qN) draws instead of O(N).
/// </summary>
public sealed class PoissonSampler
{
    private const string Purpose = "veil/poisson-step/v2";

    private readonly SamplerSeed _seed;
    private readonly PriorReleases _priorReleases;
    private readonly double _logNotQ;

    /// <param name="populationSize">N, the number of training examples.</param>
    /// <param name="samplingRate">q in [0, 1]; q = L/N for expected batch size L.</param>
    /// <param name="seed">From <see cref="SamplerSeed.FromCsprng"/> in real runs.</param>
    /// <param name="priorReleases">The run's steps already in the ledger (a resumed run); none for a new run.</param>
    public PoissonSampler(int populationSize, double samplingRate, SamplerSeed seed, PriorReleases? priorReleases = null)
    {
        ArgumentNullException.ThrowIfNull(seed);
        if (populationSize < 0)
            throw new ArgumentOutOfRangeException(nameof(populationSize), populationSize, "the dataset size must be ≥ 0");
        if (!(samplingRate >= 0 && samplingRate <= 1))
            throw new ArgumentOutOfRangeException(
                nameof(samplingRate), samplingRate, "the sampling rate q must be in [0, 1] (q = expected batch size / dataset size)");
        PopulationSize = populationSize;
        SamplingRate = samplingRate;
        _seed = seed;
        _priorReleases = priorReleases ?? PriorReleases.None;
        _logNotQ = Log1P(-samplingRate);
    }

    public int PopulationSize { get; }

    public double SamplingRate { get; }

    /// <summary>qN: what the noisy sum is divided by (never the realised batch size, which leaks it).</summary>
    public double ExpectedBatchSize => SamplingRate * PopulationSize;

    /// <summary>The sorted example indices of step <paramref name="step"/>; possibly empty.</summary>
    public int[] Sample(long step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "steps are numbered from 0");
        if (SamplingRate == 0 || PopulationSize == 0) return [];
        if (SamplingRate == 1) return Enumerable.Range(0, PopulationSize).ToArray();

        // Room for the mean plus six standard deviations: almost never regrows.
        double mean = ExpectedBatchSize;
        var members = new List<int>((int)Math.Min(PopulationSize, mean + 6 * Math.Sqrt(mean) + 16));
        using var random = new KeyedRandomStream(Purpose, _seed.ForRelease(_priorReleases.Of(step)).Bytes, step);
        long previous = -1;
        while (true)
        {
            double gap = Math.Floor(Math.Log(random.NextOpenUnit()) / _logNotQ);
            double next = previous + 1 + gap;              // double: a huge gap must not overflow an int
            if (next >= PopulationSize) break;
            previous = (long)next;
            members.Add((int)previous);
        }
        return members.ToArray();
    }

    // ln(1 + x) accurate for tiny x (Goldberg 1991, Theorem 4): ln(1 − q) computed naively loses
    // all digits when q is 1e-12, and then the gaps (and the batch sizes) would be wrong.
    // .NET's double.LogP1 is ln(x + 1) computed naively, hence this.
    private static double Log1P(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }
}
