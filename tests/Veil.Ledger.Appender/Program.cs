using System.Globalization;
using Veil.Ledger.Accountants;
using Veil.Ledger.Budget;
using Veil.Ledger.Events;
using Veil.Ledger.Store;

// A second process for the ledger's concurrency tests.
// Usage: Veil.Ledger.Appender (<ledger.sqlite> | --postgres <connection-string>) <run-id> <count> [start-signal-file]
//                             [--budget-epsilon E [--hold-ms H]]
// With a start-signal file, waits for it to exist, so two processes really append at the same time.
// With --budget-epsilon, spends through a BudgetGuard (RDP, δ = 1e-5) and stops at the first refusal;
// --hold-ms sleeps inside the admission check, i.e. inside the append transaction, to widen any race.
// Prints "recorded=N refused=M".
const string Usage = "usage: Veil.Ledger.Appender (<ledger.sqlite> | --postgres <connection-string>) <run-id> <count> [start-signal-file] [--budget-epsilon E [--hold-ms H]]";
string? postgres = null;
double? budgetEpsilon = null;
var holdMs = 0;
var positional = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--postgres" when i + 1 < args.Length: postgres = args[++i]; break;
        case "--budget-epsilon" when i + 1 < args.Length: budgetEpsilon = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--hold-ms" when i + 1 < args.Length: holdMs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: positional.Add(args[i]); break;
    }
}
var ledgerArgs = postgres is null ? 1 : 0;
if (positional.Count < ledgerArgs + 2 || positional.Count > ledgerArgs + 3 || !int.TryParse(positional[ledgerArgs + 1], out var count))
{
    Console.Error.WriteLine(Usage);
    return 2;
}
var runId = positional[ledgerArgs];
var signal = positional.Count == ledgerArgs + 3 ? positional[ledgerArgs + 2] : null;
using ILedgerStore opened = postgres is null ? SqliteLedgerStore.Open(positional[0]) : PostgresLedgerStore.Open(postgres);
ILedgerStore store = holdMs > 0 ? new HoldingStore(opened, holdMs) : opened;
if (signal is not null)
    while (!File.Exists(signal)) Thread.Sleep(5);
var step = budgetEpsilon is null ? new PoissonSampled(0.01, new GaussianEvent(1.0)) : new PoissonSampled(0.05, new GaussianEvent(1.0));
var guard = budgetEpsilon is { } e ? new BudgetGuard(store, new RdpAccountant(), new PrivacyBudget(e, 1e-5)) : null;
int recorded = 0, refused = 0;
for (var i = 0; i < count; i++)
{
    var pending = PendingEvent.NewRelease("dataset-under-test", runId, i, step);
    if (guard is null)
    {
        store.Append(pending);
        recorded++;
    }
    else if (guard.TrySpend(pending) is SpendOutcome.Recorded)
        recorded++;
    else
    {
        refused++;
        break; // the budget only ever fills up: a refusal is final
    }
    // Like a training step between releases; without a pause one process can hold the lock for the
    // whole burst (SQLite's busy handler sleeps), and the test would not exercise real interleaving.
    if (signal is not null) Thread.Sleep(2);
}
Console.WriteLine($"recorded={recorded} refused={refused}");
return 0;
