namespace Veil.Ledger.Budget;

/// <summary>
/// Examples charged by exactly the same scopes, hence with the same ε. <see cref="Examples"/> is null for a
/// legacy dataset (named by a fingerprint, its examples unknown).
/// </summary>
public sealed record LedgerBlock(IReadOnlyList<string> Scopes, long? Examples, double Epsilon, IReadOnlyList<RunSpending> Runs, long Records);
