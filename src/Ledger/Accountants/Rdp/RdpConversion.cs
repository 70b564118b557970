namespace Veil.Ledger.Accountants.Rdp;

/// <summary>How an RDP curve becomes an (ε, δ) guarantee.</summary>
public enum RdpConversion
{
    /// <summary>Balle et al. 2020 (Prop. 12 / Thm. 21): ε = RDP(α) + log((α−1)/α) − (log δ + log α)/(α−1). Tighter; the default.</summary>
    Balle2020,

    /// <summary>Mironov 2017: ε = RDP(α) + log(1/δ)/(α−1). Kept to reproduce older published figures.</summary>
    Classic,
}
