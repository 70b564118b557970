namespace Veil.Ledger.Accountants;

/// <summary>An (ε, δ) guarantee and how it was obtained. Order is the optimal RDP order (null for accountants without one).</summary>
public sealed record PrivacySpent(double Epsilon, double Delta, string Accountant, double? Order);
