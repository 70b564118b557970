namespace Veil.Ledger.Accountants.Calibration;

/// <summary>A calibrated noise multiplier and the ε it actually achieves (always ≤ the target).</summary>
public sealed record CalibratedNoise(double NoiseMultiplier, double Epsilon, double Delta, string Accountant);

/// <summary>
/// Finds the smallest noise multiplier σ whose ε stays within a target, by bracketing then bisection.
/// ε(σ) is decreasing in σ, so bisection converges; the upper end of the bracket is returned, so the
/// answer always meets the target (rounding errs on the side of more noise).
/// </summary>
public static class NoiseCalibration
{
    private const double SmallestSigma = 1e-3;
    private const double LargestSigma = 1e6;

    public static CalibratedNoise Calibrate(
        IPrivacyAccountant accountant, double targetEpsilon, SamplingSchedule schedule, double delta, double relativeTolerance = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return Calibrate(accountant, targetEpsilon, schedule.Event, delta, relativeTolerance);
    }

    /// <summary>
    /// The same search for any family of events indexed by one noise scale, ε decreasing in it (e.g. several
    /// releases whose noise multipliers are fixed multiples of the scale: see <see cref="SplitCalibration"/>).
    /// </summary>
    public static CalibratedNoise Calibrate(
        IPrivacyAccountant accountant, double targetEpsilon, Func<double, Events.DpEvent> eventAt, double delta, double relativeTolerance = 1e-6)
    {
        if (!(targetEpsilon > 0) || double.IsInfinity(targetEpsilon))
            throw new ArgumentOutOfRangeException(nameof(targetEpsilon), targetEpsilon, "target ε must be finite and > 0");
        if (!(delta > 0 && delta < 1)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be in (0, 1)");
        double EpsilonAt(double sigma) => accountant.Epsilon([eventAt(sigma)], delta).Epsilon;

        double hi = 1, epsHi = EpsilonAt(hi);
        while (epsHi > targetEpsilon)
        {
            if (hi >= LargestSigma)
                throw new ArgumentOutOfRangeException(nameof(targetEpsilon), targetEpsilon,
                    $"no noise multiplier up to {LargestSigma:G} reaches ε ≤ {targetEpsilon} at δ = {delta}; raise the target or lower q or T");
            hi *= 2;
            epsHi = EpsilonAt(hi);
        }
        var lo = hi / 2;
        while (EpsilonAt(lo) <= targetEpsilon)
        {
            // Even almost no noise meets the target (e.g. zero steps): the floor is the answer.
            if (lo <= SmallestSigma) return new CalibratedNoise(lo, EpsilonAt(lo), delta, accountant.Name);
            hi = lo;
            lo /= 2;
        }
        epsHi = EpsilonAt(hi);
        while ((hi - lo) > relativeTolerance * hi)
        {
            var mid = 0.5 * (lo + hi);
            var epsMid = EpsilonAt(mid);
            if (epsMid <= targetEpsilon) (hi, epsHi) = (mid, epsMid);
            else lo = mid;
        }
        return new CalibratedNoise(hi, epsHi, delta, accountant.Name);
    }
}
