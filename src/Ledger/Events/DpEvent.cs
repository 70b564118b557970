namespace Veil.Ledger.Events;

/// <summary>
/// A privacy mechanism described as data. The ledger stores these; accountants interpret them.
/// Nothing in Veil passes an ε around: ε is always recomputed from a history of events.
/// </summary>
public abstract record DpEvent;
