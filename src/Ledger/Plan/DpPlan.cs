using System.Text.Json.Serialization;
using Veil.Ledger.Events;

namespace Veil.Ledger.Plan;

/// <summary>
/// Everything that decides privacy, frozen once per run and validated once: Poisson rate q, noise
/// multiplier σ, clip norm C, planned steps T, δ, and the dataset it is spent on. Performance knobs
/// (micro-batch size, threads, prefetch) live elsewhere and cannot touch it.
/// <para>
/// With <see cref="Unit"/> = <see cref="PrivacyUnit.User"/> the population is the users: <see cref="SamplingRate"/> is the rate at
/// which each user is sampled, <see cref="DatasetSize"/> the number of users, and each sampled user contributes at most
/// <see cref="ExamplesPerUser"/> examples, as one contribution clipped to C.
/// </para>
/// Serialised only through <see cref="DpPlanJsonConverter"/>.
/// </summary>
[JsonConverter(typeof(DpPlanJsonConverter))]
public sealed record DpPlan
{
    public DpPlan(double samplingRate, double noiseMultiplier, double clipNorm, long steps, double delta, string datasetFingerprint, long datasetSize,
        PrivacyUnit unit = PrivacyUnit.Example, int examplesPerUser = 0)
    {
        if (!Enum.IsDefined(unit)) throw new ArgumentOutOfRangeException(nameof(unit), unit, "the privacy unit is example or user");
        if (unit == PrivacyUnit.User && examplesPerUser < 1)
            throw new ArgumentOutOfRangeException(nameof(examplesPerUser), examplesPerUser, "a user-level plan needs examples per user k ≥ 1");
        if (unit == PrivacyUnit.Example && examplesPerUser != 0)
            throw new ArgumentOutOfRangeException(nameof(examplesPerUser), examplesPerUser, "examples per user applies to user-level plans only");
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
        (Unit, ExamplesPerUser) = (unit, examplesPerUser);
    }

    public double SamplingRate { get; }
    public double NoiseMultiplier { get; }
    public double ClipNorm { get; }
    public long Steps { get; }
    public double Delta { get; }
    public string DatasetFingerprint { get; }
    /// <summary>N: examples, or users when <see cref="Unit"/> is <see cref="PrivacyUnit.User"/>.</summary>
    public long DatasetSize { get; }

    /// <summary>What the guarantee protects: one example, or one user with all of their examples.</summary>
    public PrivacyUnit Unit { get; }

    /// <summary>k: at most this many examples of a sampled user take part in a step (0 for example-level plans).</summary>
    public int ExamplesPerUser { get; }

    /// <summary>"example-level" or "user-level": every printed ε says which.</summary>
    public string UnitLabel => Label(Unit);

    public static string Label(PrivacyUnit unit) => unit == PrivacyUnit.User ? "user-level" : "example-level";

    /// <summary>L = q·N (expected users in user-level plans): the divisor of every update. Never the realised batch size, which would leak it.</summary>
    public double ExpectedBatchSize => SamplingRate * DatasetSize;

    /// <summary>Standard deviation of the noise added to the clipped sum: σ·C.</summary>
    public double NoiseStandardDeviation => NoiseMultiplier * ClipNorm;

    /// <summary>
    /// The DP event one step releases; the ledger stores one per step. A user-level step is marked as such (<see cref="UserLevel"/>),
    /// so each ledger record says what its ε protects.
    /// </summary>
    public DpEvent StepEvent => Unit == PrivacyUnit.User
        ? new UserLevel(new PoissonSampled(SamplingRate, new GaussianEvent(NoiseMultiplier)), ExamplesPerUser)
        : new PoissonSampled(SamplingRate, new GaussianEvent(NoiseMultiplier));

    /// <summary>The whole planned run as one event, for budget checks before starting.</summary>
    public DpEvent RunEvent => new SelfComposed(StepEvent, Steps);
}
