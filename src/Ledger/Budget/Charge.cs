using Veil.Ledger.Events;
using Veil.Ledger.Store;

namespace Veil.Ledger.Budget;

/// <summary>One release as the budget reads it: which scope (or legacy dataset) it charged, for which run, with what.</summary>
internal readonly record struct Charge(long Sequence, string Key, string RunId, long Step, DpEvent Event)
{
    public static Charge Of(LedgerRecord record) => new(record.Sequence, record.DatasetFingerprint, record.RunId, record.Step, record.Event);
}
