using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Veil.Ledger.Accountants;
using Veil.Ledger.Budget;
using Veil.Ledger.Events;
using Veil.Ledger.Store;

namespace Veil.Actors.Cli;

/// <summary>
/// `veil bench ledger`: what one budgeted append costs as the dataset's history grows. Appends N
/// training-step events through a BudgetGuard (the path every step takes) and prints ms per append over
/// the first and the last window, so a check that grows with the history shows as a rising figure.
/// Also times one full recomputation at the end (read the whole history, run the accountant): what each
/// append would cost without the guard's tally. Reports; asserts nothing.
/// </summary>
public static class BenchLedgerCommand
{
    public static Command Create(TextWriter stdout)
    {
        var appends = CliOptions.Ranged<int>("--appends", "Budgeted appends (default 20000).", v => v is >= 2 and <= 10_000_000, "[2, 1e7]");
        appends.DefaultValueFactory = _ => 20_000;
        var window = CliOptions.Ranged<int>(
            "--window", "Appends timed at the start and at the end (default 1000).", v => v is >= 1 and <= 1_000_000, "[1, 1e6]");
        window.DefaultValueFactory = _ => 1000;
        var backend = new Option<string>(
            "--backend") { Description = "sqlite (a temporary file) or postgres (needs --connection-string).", DefaultValueFactory = _ => "sqlite" };
        backend.AcceptOnlyFromAmong("sqlite", "postgres");
        var connectionString = new Option<string?>("--connection-string")
        {
            Description = "PostgreSQL database to append to, e.g. " +
                "\"Host=127.0.0.1;Database=veil_bench;Username=veil\": use a throw-away one, ledgers are append-only.",
        };
        var accountant = CliOptions.Accountant();
        var json = CliOptions.Json();
        var command = new Command("ledger", "Time budgeted ledger appends as the history grows (start vs end).")
            { appends, window, backend, connectionString, accountant, json };
        command.SetAction(p =>
        {
            var n = p.GetValue(appends);
            var w = Math.Min(p.GetValue(window), n / 2);
            var kind = p.GetValue(backend)!;
            var cs = p.GetValue(connectionString);
            if (kind == "postgres" && string.IsNullOrWhiteSpace(cs))
                throw new CliUsageException(
                    "bench ledger --backend postgres needs --connection-string (a throw-away database: the benchmark's records stay in it)");
            if (kind == "sqlite" && cs is not null)
                throw new CliUsageException("--connection-string is for --backend postgres; the sqlite benchmark uses a temporary file");
            var folder = Path.Combine(Path.GetTempPath(), "veil-bench-ledger-" + Guid.NewGuid().ToString("N"));
            try
            {
                using ILedgerStore store = kind == "postgres" ? PostgresLedgerStore.Open(cs!) : SqliteLedgerStore.Open(Path.Combine(folder, "ledger.sqlite"));
                var result = Run(store, AccountantCatalog.Create(p.GetValue(accountant)!), n, w);
                var line = JsonLine.Of(
                    ("benchmark", "ledger"), ("backend", kind), ("accountant", p.GetValue(accountant)), ("appends", n), ("window", w),
                    ("first_ms_per_append", result.FirstMs), ("last_ms_per_append", result.LastMs),
                    ("first_median_ms", result.FirstMedianMs), ("last_median_ms", result.LastMedianMs),
                    ("median_ms_by_tenth", result.MedianByTenth.Select((m, i) => ((i + 1).ToString(CultureInfo.InvariantCulture), (object?)m)).ToArray()),
                    ("full_recomputation_ms", result.FullMs), ("total_s", result.TotalS), ("epsilon", result.Epsilon));
                if (!p.GetValue(json))
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{n:N0} budgeted appends ({kind}): {result.FirstMs:F2} ms each over the first {w}, " +
                        $"{result.LastMs:F2} ms over the last {w}; one full recomputation at the end: {result.FullMs:F1} ms"));
                stdout.WriteLine(line);
            }
            finally
            {
                if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    // MedianByTenth: the median append of each tenth of the run, to tell a trend from a busy machine.
    private sealed record Result(
        double FirstMs, double LastMs, double FirstMedianMs, double LastMedianMs, double[] MedianByTenth, double FullMs, double TotalS, double Epsilon);

    private static Result Run(ILedgerStore store, IPrivacyAccountant accountant, int n, int window)
    {
        // A fresh dataset each run, so a reused PostgreSQL database measures from an empty history.
        var dataset = "bench-" + Guid.NewGuid().ToString("N");
        var run = "bench";
        var guard = new BudgetGuard(store, accountant, new PrivacyBudget(1e300, 1e-5));
        var times = new double[n];
        var total = Stopwatch.StartNew();
        double epsilon = 0;
        for (var i = 0; i < n; i++)
        {
            // A new object per step, as a training run releases them.
            var step = new PoissonSampled(256.0 / 60000, new GaussianEvent(1.1));
            var sw = Stopwatch.StartNew();
            var outcome = guard.TrySpend(PendingEvent.NewRelease(dataset, run, i, step));
            times[i] = sw.Elapsed.TotalMilliseconds;
            epsilon = outcome is SpendOutcome.Recorded r
                ? r.EpsilonSpent
                : throw new InvalidOperationException($"append {i} was refused: {((SpendOutcome.Refused)outcome).Reason}");
        }
        var totalS = total.Elapsed.TotalSeconds;
        var full = Stopwatch.StartNew();
        accountant.Epsilon(store.ReadDataset(dataset).Select(r => r.Event), 1e-5);
        var fullMs = full.Elapsed.TotalMilliseconds;
        // The first window starts after JIT warm-up (a few appends), the last ends at append n.
        var warm = Math.Min(10, n - 2 * window);
        var first = times.Skip(warm).Take(window).ToArray();
        var last = times.Skip(n - window).ToArray();
        var tenths = Enumerable.Range(0, 10).Select(t => Median(times[(n * t / 10)..Math.Max(n * t / 10 + 1, n * (t + 1) / 10)])).ToArray();
        return new Result(first.Average(), last.Average(), Median(first), Median(last), tenths, fullMs, totalS, epsilon);
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
