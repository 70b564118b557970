using Veil.Ledger.Events;

namespace Veil.Ledger.Accountants;

/// <summary>
/// Interprets a history of DP events as an (ε, δ) guarantee. Every accountant answers the same
/// question from the same data, so they can be swapped and cross-checked (PLD ≤ RDP).
/// </summary>
public interface IPrivacyAccountant
{
    /// <summary>Short stable name used in CLI output and the ledger ("rdp", "pld").</summary>
    string Name { get; }

    /// <summary>The smallest ε this accountant can certify for the composition of all events at the given δ.</summary>
    PrivacySpent Epsilon(IEnumerable<DpEvent> history, double delta);

    /// <summary>
    /// An empty running summary that events can be folded into (for a budget check that reads only new
    /// ledger records). By default it keeps the events and recomputes; RDP folds curves, PLD folds counts.
    /// </summary>
    IPrivacyTally StartTally() => new Tallies.EventListTally(this);
}
