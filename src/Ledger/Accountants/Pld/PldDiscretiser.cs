using Veil.Ledger.Accountants.Numerics;
namespace Veil.Ledger.Accountants.Pld;

/// <summary>
/// Puts a continuous, monotone privacy loss onto the grid kΔ so that the discrete PLD dominates the
/// true one: δ(ε) computed from it is never below the truth, for every ε, and stays so under composition.
/// </summary>
internal static class PldDiscretiser
{
    public static PrivacyLossDistribution Discretise(
        SubsampledGaussianPrivacyLoss loss, double valueDiscretisationInterval, double tailMassTruncation, PldDiscretisation method)
    {
        var interval = valueDiscretisationInterval;
        var lowestIndex = (long)Math.Floor(loss.LowestRelevantLoss(tailMassTruncation) / interval);
        var highestIndex = Math.Max(lowestIndex + 1, (long)Math.Ceiling(loss.HighestRelevantLoss(tailMassTruncation) / interval));
        if (highestIndex - lowestIndex >= int.MaxValue / 2)
            throw new InvalidOperationException(
                $"The privacy loss spans {highestIndex - lowestIndex} grid points; use a coarser value discretisation interval.");
        var masses = new double[highestIndex - lowestIndex + 1];

        // Losses below the grid are raised onto its lowest point; losses above it become infinite. Both only raise losses.
        masses[0] = loss.MassesOfLossInterval(double.NegativeInfinity, lowestIndex * interval).UnderP;
        var infinityMass = loss.MassesOfLossInterval(highestIndex * interval, double.PositiveInfinity).UnderP;

        // 1 − e^{−Δ}: the spread of e^{−ℓ} across one grid interval, relative to its left end.
        var oneMinusShrink = -LogSpace.ExpM1(-interval);
        for (var k = lowestIndex; k < highestIndex; k++)
        {
            var left = k * interval;
            var (underP, underQ) = loss.MassesOfLossInterval(left, (k + 1) * interval);
            if (underP <= 0.0) continue;
            var position = (int)(k - lowestIndex);
            if (method == PldDiscretisation.RoundUp)
            {
                masses[position + 1] += underP;
                continue;
            }

            // Connect the dots: atoms a at `left` and b at `left + Δ` with a + b = P-mass and
            // a·e^{−left} + b·e^{−left−Δ} = Q-mass. Preserving both masses makes δ(ε) exact at both end
            // points; δ is convex in e^ε, so the chord the two atoms draw in between lies above it.
            // u = E_P[e^{left − L} | interval] lies in [e^{−Δ}, 1]; clamping only absorbs round-off.
            var u = Math.Clamp(underQ / underP * Math.Exp(left), 1.0 - oneMinusShrink, 1.0);
            var atLeft = underP * (u - (1.0 - oneMinusShrink)) / oneMinusShrink;
            atLeft = Math.Clamp(atLeft, 0.0, underP);
            masses[position] += atLeft;
            masses[position + 1] += underP - atLeft;
        }

        return PessimisticTailTruncation.Apply(interval, lowestIndex, masses, infinityMass, tailMass: 0.0);
    }
}
