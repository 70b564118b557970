using Akka.Configuration;
using Veil.Ledger.Accountants;
using Veil.Ledger.Accountants.Calibration;
using Veil.Ledger.Plan;

namespace Veil.Actors.Configuration;

/// <summary>
/// `veil.dp.*`: the values a DP-SGD run's privacy is made of, read and validated once, and the only thing (with δ, the
/// accountant and the data's size) the frozen <see cref="DpPlan"/> is built from. Runtime knobs cannot reach it.
/// </summary>
/// <param name="NoiseMultiplier">σ; 0 = calibrate σ for <paramref name="TargetEpsilon"/>.</param>
public sealed record DpSettings(int ExpectedBatchSize, double Epochs, double ClipNorm, double NoiseMultiplier, double TargetEpsilon)
{
    public static DpSettings Create(Config c) => new(
        (int)ConfigReading.Double(c, "veil.dp.expected-batch-size", v => v >= 1 && v <= int.MaxValue && v == Math.Floor(v), $"integers [1, {int.MaxValue}]"),
        ConfigReading.Double(c, "veil.dp.epochs", v => v > 0 && double.IsFinite(v), "(0, ∞)"),
        ConfigReading.Double(c, "veil.dp.clip-norm", v => v > 0 && double.IsFinite(v), "(0, ∞)"),
        ConfigReading.Double(c, "veil.dp.noise-multiplier", v => v >= 0 && double.IsFinite(v), "[0, ∞) (0 = calibrate)"),
        ConfigReading.Double(c, "veil.dp.target-epsilon", v => v > 0 && double.IsFinite(v), "(0, ∞)"));

    /// <summary>
    /// The frozen plan for data of <paramref name="datasetSize"/> examples: Poisson rate q = L/N (L capped at N), T = epochs/q steps,
    /// σ as configured or calibrated with the dataset's accountant so the whole run costs at most the target ε at δ. In a user-level
    /// plan N is the number of users and L the expected users per step (at most <paramref name="examplesPerUser"/> examples each).
    /// </summary>
    public DpPlan Plan(long datasetSize, string datasetFingerprint, IPrivacyAccountant accountant, double delta,
        PrivacyUnit unit = PrivacyUnit.Example, int examplesPerUser = 0)
    {
        var schedule = SamplingSchedule.FromEpochs(datasetSize, Math.Min(ExpectedBatchSize, datasetSize), Epochs);
        var sigma = NoiseMultiplier > 0
            ? NoiseMultiplier
            : NoiseCalibration.Calibrate(accountant, TargetEpsilon, schedule, delta, relativeTolerance: 1e-4).NoiseMultiplier;
        return new DpPlan(schedule.SamplingRate, sigma, ClipNorm, schedule.Steps, delta, datasetFingerprint, datasetSize, unit, examplesPerUser);
    }
}
