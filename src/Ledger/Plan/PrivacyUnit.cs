namespace Veil.Ledger.Plan;

/// <summary>
/// What one DP guarantee protects. Example: one training example (its neighbour differs by one example).
/// User: one person, with all of their examples (its neighbour differs by one user's whole data): sampling,
/// clipping and the ledger's data scope then work per user.
/// </summary>
public enum PrivacyUnit
{
    Example,
    User,
}
