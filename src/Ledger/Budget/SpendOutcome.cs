using Veil.Ledger.Store;

namespace Veil.Ledger.Budget;

/// <summary>Result of trying to spend privacy on a dataset.</summary>
public abstract record SpendOutcome
{
    /// <summary>Durably recorded; EpsilonSpent is the dataset's total including this event.</summary>
    public sealed record Recorded(LedgerRecord Record, double EpsilonSpent) : SpendOutcome;

    /// <summary>Refused: nothing written. The reason says what was spent, by which runs, and what remains.</summary>
    public sealed record Refused(string Reason) : SpendOutcome;
}
