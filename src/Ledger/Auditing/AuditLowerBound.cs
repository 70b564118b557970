namespace Veil.Ledger.Auditing;

/// <summary>
/// An empirical lower bound on ε from one run: with confidence 1 − <see cref="Beta"/>, the mechanism is not
/// (ε, <see cref="Delta"/>)-DP for any ε ≤ <see cref="Epsilon"/>. <see cref="PValue"/> is the (conservative)
/// p-value of the observed counts at that ε, at most <see cref="Beta"/>; 0 means nothing was shown
/// (then <see cref="PValue"/> is the p-value at ε = 0, above β).
/// </summary>
public sealed record AuditLowerBound(double Epsilon, double PValue, double Beta, double Delta, AuditCounts Counts);
