using Veil.Ledger.Events;

namespace Veil.Ledger.Accountants.Calibration;

/// <summary>
/// A group of identical noisy releases of one statistic (say "covariance" once, or "gradient" once per
/// Newton step, or "sgd" once per step on a Poisson sample with rate q) and the weight the user gives it
/// in the budget split. See <see cref="SplitCalibration"/> for what the weight means.
/// </summary>
public sealed record ReleaseShare
{
    public ReleaseShare(string name, double weight, long count, double samplingRate = 1.0)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("a release share needs a name (it keys the noise multipliers)", nameof(name));
        if (!(weight > 0) || !double.IsFinite(weight))
            throw new ArgumentOutOfRangeException(nameof(weight), weight, $"weight of release \"{name}\" must be finite and > 0");
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, $"release \"{name}\" must happen at least once");
        if (!(samplingRate > 0 && samplingRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(samplingRate), samplingRate, $"sampling rate of release \"{name}\" must be in (0, 1]");
        (Name, Weight, Count, SamplingRate) = (name, weight, count, samplingRate);
    }

    public string Name { get; }
    public double Weight { get; }
    public long Count { get; }
    public double SamplingRate { get; }

    /// <summary>
    /// The event of ONE release with noise multiplier σ: the Gaussian mechanism, Poisson-subsampled when q &lt; 1
    /// (q = 1 touches every example, which is the plain Gaussian mechanism, so it is written as one).
    /// </summary>
    public DpEvent OneRelease(double noiseMultiplier)
    {
        var gaussian = new GaussianEvent(noiseMultiplier);
        return SamplingRate < 1 ? new PoissonSampled(SamplingRate, gaussian) : gaussian;
    }

    /// <summary>Every release of the group.</summary>
    public DpEvent AllReleases(double noiseMultiplier) =>
        Count == 1 ? OneRelease(noiseMultiplier) : new SelfComposed(OneRelease(noiseMultiplier), Count);
}
