using Veil.Ledger.Events;
using Veil.Ledger.Store;

// Usage: Veil.Ledger.Appender <ledger.sqlite> <run-id> <count> [start-signal-file]
// With a start-signal file, waits for it to exist, so two processes really append at the same time.
if (args.Length is < 3 or > 4 || !int.TryParse(args[2], out var count))
{
    Console.Error.WriteLine("usage: Veil.Ledger.Appender <ledger.sqlite> <run-id> <count> [start-signal-file]");
    return 2;
}
using var store = SqliteLedgerStore.Open(args[0]);
if (args.Length == 4)
    while (!File.Exists(args[3])) Thread.Sleep(5);
var step = new PoissonSampled(0.01, new GaussianEvent(1.0));
for (var i = 0; i < count; i++)
{
    store.Append(PendingEvent.NewRelease("dataset-under-test", args[1], i, step));
    // Like a training step between releases; without a pause one process can hold the lock for the
    // whole burst (SQLite's busy handler sleeps), and the test would not exercise real interleaving.
    if (args.Length == 4) Thread.Sleep(2);
}
return 0;
