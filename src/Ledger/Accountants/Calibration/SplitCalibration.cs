using Veil.Ledger.Events;

namespace Veil.Ledger.Accountants.Calibration;

/// <summary>
/// Splits one (ε, δ) budget between several release groups and finds their noise multipliers.
///
/// What a weight means: group j with weight w_j (normalised f_j = w_j / Σw) and n_j releases gets
///   σ_j = s · √(n_j / f_j),
/// so that Σ_j n_j / σ_j² = 1 / s²: the groups share the total "inverse noise power" 1/s² in proportion to
/// their weights, each release of a group getting an equal part of its group's share. For unsampled Gaussian
/// releases this is exactly a split of the Rényi-DP / zCDP budget (the Gaussian mechanism's RDP at order α is
/// α/(2σ²), linear in 1/σ²), so f_j is the fraction of the privacy loss spent on group j. For Poisson-subsampled
/// groups (q &lt; 1) the same formula defines σ_j, but subsampling makes those releases cheaper than their
/// share, so their real fraction is lower than f_j.
///
/// The one scale s is then found by bisection (<see cref="NoiseCalibration"/>) so that the composition of
/// every release, through the chosen accountant, gives ε ≤ target at δ: the answer is the composed mechanism
/// that the ledger will later hold, release by release.
/// </summary>
public static class SplitCalibration
{
    public static SplitNoise Calibrate(IPrivacyAccountant accountant, double targetEpsilon, double delta, IReadOnlyList<ReleaseShare> shares,
        double relativeTolerance = 1e-6)
    {
        Check(shares);
        var found = NoiseCalibration.Calibrate(accountant, targetEpsilon, s => Planned(shares, MultipliersAt(shares, s)), delta, relativeTolerance);
        return new SplitNoise(MultipliersAt(shares, found.NoiseMultiplier), found.NoiseMultiplier, found.Epsilon, delta, accountant.Name);
    }

    /// <summary>σ_j = s·√(n_j / f_j) for each group (see the class comment).</summary>
    public static IReadOnlyDictionary<string, double> MultipliersAt(IReadOnlyList<ReleaseShare> shares, double scale)
    {
        Check(shares);
        if (!(scale > 0) || !double.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "noise scale must be finite and > 0");
        var total = shares.Sum(x => x.Weight);
        return shares.ToDictionary(x => x.Name, x => scale * Math.Sqrt(x.Count / (x.Weight / total)));
    }

    /// <summary>Every planned release composed: what the ledger will hold once the run is done (for budget checks).</summary>
    public static DpEvent Planned(IReadOnlyList<ReleaseShare> shares, IReadOnlyDictionary<string, double> noiseMultipliers)
    {
        Check(shares);
        return new Composed(shares.Select(x => x.AllReleases(noiseMultipliers.TryGetValue(x.Name, out var sigma)
            ? sigma
            : throw new ArgumentException($"no noise multiplier for release \"{x.Name}\"", nameof(noiseMultipliers)))).ToArray());
    }

    private static void Check(IReadOnlyList<ReleaseShare> shares)
    {
        ArgumentNullException.ThrowIfNull(shares);
        if (shares.Count == 0) throw new ArgumentException("at least one release is needed to split a budget", nameof(shares));
        var duplicate = shares.GroupBy(x => x.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"release \"{duplicate.Key}\" appears twice; give each group one name", nameof(shares));
    }
}
