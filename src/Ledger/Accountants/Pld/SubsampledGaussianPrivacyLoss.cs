using Veil.Ledger.Accountants.Numerics;
namespace Veil.Ledger.Accountants.Pld;

/// <summary>
/// Privacy loss of the Poisson-subsampled Gaussian mechanism (sensitivity 1, noise σ, rate q) in one
/// adjacency direction, with the mixture M = (1−q)·N(0,σ²) + q·N(1,σ²) against N(0,σ²):
/// Remove compares P = M with Q = N(0,σ²); Add compares P = N(0,σ²) with Q = M.
/// The loss is monotone in the outcome x with a closed-form inverse, so the mass of every loss interval
/// is a difference of normal tail probabilities: no numerical integration, no root finding.
/// </summary>
internal sealed class SubsampledGaussianPrivacyLoss
{
    private readonly double _sigma;
    private readonly double _samplingRate;
    private readonly double _logOneMinusRate;

    public SubsampledGaussianPrivacyLoss(double noiseMultiplier, double samplingRate, AdjacencyDirection direction)
    {
        if (!(noiseMultiplier > 0 && double.IsFinite(noiseMultiplier)))
            throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, "must be finite and > 0");
        if (!(samplingRate > 0 && samplingRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(samplingRate), samplingRate, "must be in (0, 1]");
        _sigma = noiseMultiplier;
        _samplingRate = samplingRate;
        _logOneMinusRate = LogSpace.Log1P(-samplingRate);
        Direction = direction;
    }

    public AdjacencyDirection Direction { get; }

    /// <summary>Privacy loss log(P(x)/Q(x)) at outcome x.</summary>
    public double LossAt(double x) => Direction == AdjacencyDirection.Remove ? RemoveLossAt(x) : -RemoveLossAt(x);

    /// <summary>
    /// Masses under P and under Q of the outcomes whose loss lies in (lowLoss, highLoss]. The Q mass is
    /// what connect-the-dots needs to split an interval without changing δ at its end points.
    /// </summary>
    public (double UnderP, double UnderQ) MassesOfLossInterval(double lowLoss, double highLoss)
    {
        if (!(lowLoss < highLoss)) return (0.0, 0.0);
        // Remove's loss rises with x; Add's loss is the negation, so its loss interval maps to the mirrored x interval.
        var (xLow, xHigh) = Direction == AdjacencyDirection.Remove
            ? (OutcomeWithRemoveLoss(lowLoss), OutcomeWithRemoveLoss(highLoss))
            : (OutcomeWithRemoveLoss(-highLoss), OutcomeWithRemoveLoss(-lowLoss));

        var unshifted = StandardNormal.IntervalMass(xLow / _sigma, xHigh / _sigma);
        var shifted = StandardNormal.IntervalMass((xLow - 1.0) / _sigma, (xHigh - 1.0) / _sigma);
        var mixture = _samplingRate == 1.0 ? shifted : (1.0 - _samplingRate) * unshifted + _samplingRate * shifted;
        return Direction == AdjacencyDirection.Remove ? (mixture, unshifted) : (unshifted, mixture);
    }

    /// <summary>A loss below which P puts at most <paramref name="tailMass"/>.</summary>
    public double LowestRelevantLoss(double tailMass)
    {
        var z = StandardNormal.UpperTailQuantile(tailMass);
        // P's left x-tail beyond −σz holds ≤ tailMass for both N(0,σ²) and the mixture; for Add, low loss is the right x-tail of N(0,σ²).
        return Direction == AdjacencyDirection.Remove ? RemoveLossAt(-_sigma * z) : -RemoveLossAt(_sigma * z);
    }

    /// <summary>A loss above which P puts at most <paramref name="tailMass"/>.</summary>
    public double HighestRelevantLoss(double tailMass)
    {
        var z = StandardNormal.UpperTailQuantile(tailMass);
        return Direction == AdjacencyDirection.Remove ? RemoveLossAt(1.0 + _sigma * z) : -RemoveLossAt(-_sigma * z);
    }

    /// <summary>log((1−q) + q·e^t) with t = (2x−1)/(2σ²), in whichever form cannot overflow or cancel.</summary>
    private double RemoveLossAt(double x)
    {
        var t = (2.0 * x - 1.0) / (2.0 * _sigma * _sigma);
        if (_samplingRate == 1.0) return t;
        if (t > 0.0) return t + Math.Log(_samplingRate + (1.0 - _samplingRate) * Math.Exp(-t));
        return LogSpace.Log1P(_samplingRate * LogSpace.ExpM1(t));
    }

    /// <summary>The inverse of the Remove loss: x = σ²·log((e^ℓ − (1−q))/q) + 1/2, and −∞ below the loss's infimum log(1−q).</summary>
    private double OutcomeWithRemoveLoss(double loss)
    {
        if (_samplingRate == 1.0) return _sigma * _sigma * loss + 0.5;
        if (loss <= _logOneMinusRate) return double.NegativeInfinity;
        var logRatio = loss > 0.0
            ? loss - Math.Log(_samplingRate) + LogSpace.Log1P(-(1.0 - _samplingRate) * Math.Exp(-loss))
            : LogSpace.Log1P(LogSpace.ExpM1(loss) / _samplingRate);
        return _sigma * _sigma * logRatio + 0.5;
    }
}
