namespace Veil.Ledger.Auditing;

/// <summary>How the auditor's guesses fared, per side, and the (m, r, v) the bound needs.</summary>
public sealed record MembershipGuessResult(int Canaries, int GuessedIn, int RightIn, int GuessedOut, int RightOut, int Included)
{
    /// <summary>(m, r, v) for <see cref="OneRunAudit"/>.</summary>
    public AuditCounts Counts => new(Canaries, GuessedIn + GuessedOut, RightIn + RightOut);
}
