namespace Veil.Ledger.Budget;

/// <summary>
/// Scopes that overlap, directly or through one another: what a user thinks of as one dataset. Its ε is its
/// worst example's. A legacy dataset (a fingerprint, not a scope) stands alone, its examples unknown.
/// </summary>
public sealed record DatasetSummary(IReadOnlyList<string> Scopes, long? Examples, double WorstEpsilon, IReadOnlyList<RunSpending> Runs, long Records);
