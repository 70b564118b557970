using System.Collections.Immutable;
using Veil.Ledger.Events;

namespace Veil.Ledger.Accountants.Tallies;

/// <summary>
/// For an accountant that cannot fold: keeps the events and recomputes ε from all of them each time.
/// Callers still read only new records from the ledger; only the arithmetic stays O(history).
/// </summary>
public sealed class EventListTally(IPrivacyAccountant accountant, ImmutableList<DpEvent> events) : IPrivacyTally
{
    public EventListTally(IPrivacyAccountant accountant) : this(accountant, ImmutableList<DpEvent>.Empty) { }

    public IPrivacyTally With(IEnumerable<DpEvent> more) => new EventListTally(accountant, events.AddRange(more));

    public IPrivacyTally Plus(IPrivacyTally other) => other is EventListTally list && ReferenceEquals(list.Accountant, accountant)
        ? new EventListTally(accountant, events.AddRange(list.Events))
        : throw new ArgumentException("only a tally of the same accountant can be added", nameof(other));

    private IPrivacyAccountant Accountant => accountant;

    private ImmutableList<DpEvent> Events => events;

    public PrivacySpent Epsilon(double delta) => accountant.Epsilon(events, delta);
}
