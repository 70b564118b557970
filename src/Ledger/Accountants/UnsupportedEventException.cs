using Veil.Ledger.Events;

namespace Veil.Ledger.Accountants;

/// <summary>An accountant was handed an event it has no rule for. Never silently ignored: that would under-count.</summary>
public sealed class UnsupportedEventException(DpEvent dpEvent, string accountant)
    : Exception($"The {accountant} accountant cannot interpret {dpEvent}; refuse rather than under-count privacy.")
{
    public DpEvent Event { get; } = dpEvent;
}
