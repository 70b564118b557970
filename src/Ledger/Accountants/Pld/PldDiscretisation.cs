namespace Veil.Ledger.Accountants.Pld;

/// <summary>How a continuous privacy loss is put on the grid kΔ. Both never under-estimate δ(ε).</summary>
public enum PldDiscretisation
{
    /// <summary>
    /// Doroshenko et al. 2022 ("Connect the Dots"): each grid interval's mass is split between its two
    /// end points so that δ(ε) is exact at every grid point and a chord above the true convex curve in
    /// between. Its error is second order in Δ, which is why it is dp_accounting's default and ours:
    /// rounding up biases every step by ~Δ/2, and over 10⁴ DP-SGD steps that bias alone is ~0.5 in ε.
    /// </summary>
    ConnectTheDots,

    /// <summary>"Privacy buckets": every loss is rounded up to the next grid point. Simple and pessimistic, but coarse under long compositions.</summary>
    RoundUp,
}
