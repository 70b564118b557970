using System.Text.Json.Serialization;
using Veil.Ledger.Events;

namespace Veil.Ledger.Plan;

/// <summary>
/// Everything that decides privacy, frozen once per run and validated once: Poisson rate q, noise
/// multiplier σ, clip norm C, planned steps T, δ, and the dataset it is spent on. Performance knobs
/// (micro-batch size, threads, prefetch) live elsewhere and cannot touch it.
/// Serialised only through <see cref="DpPlanJsonConverter"/>.
/// </summary>
[JsonConverter(typeof(DpPlanJsonConverter))]
public sealed record DpPlan
{
    public DpPlan(double samplingRate, double noiseMultiplier, double clipNorm, long steps, double delta, string datasetFingerprint, long datasetSize)
    {
        if (datasetSize <= 0) throw new ArgumentOutOfRangeException(nameof(datasetSize), datasetSize, "dataset size must be > 0");
        if (!(samplingRate > 0 && samplingRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(samplingRate), samplingRate, "sampling rate must be in (0, 1]");
        if (!(noiseMultiplier > 0) || !double.IsFinite(noiseMultiplier))
            throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, "noise multiplier must be finite and > 0");
        if (!(clipNorm > 0) || !double.IsFinite(clipNorm))
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "clip norm must be finite and > 0");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be >= 0");
        if (!(delta > 0 && delta < 1)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be in (0, 1)");
        if (string.IsNullOrWhiteSpace(datasetFingerprint))
            throw new ArgumentException("a dataset fingerprint is required: the ledger is keyed by it", nameof(datasetFingerprint));
        (SamplingRate, NoiseMultiplier, ClipNorm, Steps, Delta, DatasetFingerprint, DatasetSize) =
            (samplingRate, noiseMultiplier, clipNorm, steps, delta, datasetFingerprint, datasetSize);
    }

    public double SamplingRate { get; }
    public double NoiseMultiplier { get; }
    public double ClipNorm { get; }
    public long Steps { get; }
    public double Delta { get; }
    public string DatasetFingerprint { get; }
    public long DatasetSize { get; }

    /// <summary>L = q·N: the divisor of every update. Never the realised batch size, which would leak it.</summary>
    public double ExpectedBatchSize => SamplingRate * DatasetSize;

    /// <summary>Standard deviation of the noise added to the clipped sum: σ·C.</summary>
    public double NoiseStandardDeviation => NoiseMultiplier * ClipNorm;

    /// <summary>The DP event one step releases; the ledger stores one per step.</summary>
    public DpEvent StepEvent => new PoissonSampled(SamplingRate, new GaussianEvent(NoiseMultiplier));

    /// <summary>The whole planned run as one event, for budget checks before starting.</summary>
    public DpEvent RunEvent => new SelfComposed(StepEvent, Steps);
}
