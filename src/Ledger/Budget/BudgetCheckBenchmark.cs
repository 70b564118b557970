using System.Diagnostics;
using Veil.Ledger.Accountants;
using Veil.Ledger.Events;
using Veil.Ledger.Scopes;
using Veil.Ledger.Store;

namespace Veil.Ledger.Budget;

/// <summary>
/// How long a budget check takes on a ledger with many runs over overlapping scopes of one dataset: a
/// SQLite ledger with <c>scopes</c> scopes over <c>examples</c> examples (the whole set, its two halves,
/// random subsets) and <c>runs</c> runs of a few SelfComposed(PoissonSampled(Gaussian)) records each,
/// spread over the scopes. Then, for a run on a new random subset: a planned-run check by a fresh guard
/// (reads the ledger, partitions the scope), the same check again (warm), and one spend. Reports; asserts nothing.
/// </summary>
public static class BudgetCheckBenchmark
{
    public sealed record Result(
        int Examples, int Scopes, int Runs, long Records, int Blocks, string Accountant,
        double SetupMs, double ColdCheckMs, double WarmCheckMs, double SpendMs, double WorstEpsilon);

    public static Result Run(
        string folder, IPrivacyAccountant accountant, int examples = 60_000, int scopes = 10, int runs = 1000, int recordsPerRun = 3, int seed = 1)
    {
        var random = new Random(seed);
        var universe = Enumerable.Range(0, examples).Select(_ => (ulong)random.NextInt64()).ToArray();
        var all = new List<DataScope> { DataScope.Of(universe), DataScope.Of(universe[..(examples / 2)]), DataScope.Of(universe[(examples / 2)..]) };
        while (all.Count < scopes)
        {
            var keep = 0.5 + 0.45 * random.NextDouble();
            all.Add(DataScope.Of(universe.Where(_ => random.NextDouble() < keep)));
        }
        var path = Path.Combine(folder, "budget-benchmark.sqlite");
        var setup = Stopwatch.StartNew();
        long records = 0;
        using (var store = SqliteLedgerStore.Open(path))
        {
            foreach (var scope in all.Take(scopes)) store.PutScope(scope);
            for (var run = 0; run < runs; run++)
            {
                var scope = all[run % scopes];
                for (var r = 0; r < recordsPerRun; r++, records++)
                    store.Append(PendingEvent.NewRelease(scope.Id, $"run-{run}", r * 100, Epoch(random, examples)));
            }
        }
        setup.Stop();

        using var ledger = SqliteLedgerStore.Open(path);
        var fresh = DataScope.Of(universe.Where(_ => random.NextDouble() < 0.8));
        ledger.PutScope(fresh);
        var guard = new BudgetGuard(ledger, accountant, new PrivacyBudget(1e300, 1e-5));
        var planned = new SelfComposed(Epoch(random, examples), 10);
        var cold = Stopwatch.StartNew();
        guard.CheckPlanned(fresh.Id, planned);
        cold.Stop();
        var warm = Stopwatch.StartNew();
        guard.CheckPlanned(fresh.Id, new SelfComposed(planned, 2));
        warm.Stop();
        var spend = Stopwatch.StartNew();
        var outcome = guard.TrySpend(PendingEvent.NewRelease(fresh.Id, "new-run", 0, Epoch(random, examples)));
        spend.Stop();
        var blocks = LedgerSummary.Of(ledger.ReadAll(), ledger.ReadScopeIds().Select(s => ledger.ReadScope(s.Id)!), accountant, 1e-5).Blocks.Count;
        return new Result(examples, scopes, runs, records, blocks, accountant.Name, setup.Elapsed.TotalMilliseconds,
            cold.Elapsed.TotalMilliseconds, warm.Elapsed.TotalMilliseconds, spend.Elapsed.TotalMilliseconds,
            outcome is SpendOutcome.Recorded recorded ? recorded.EpsilonSpent : double.NaN);
    }

    // One epoch of DP-SGD at batch 256: a few (q, σ) values, as tuning runs would use.
    private static DpEvent Epoch(Random random, int examples)
    {
        double[] sigmas = [0.8, 1.0, 1.1, 1.5];
        var q = 256.0 / examples;
        return new SelfComposed(new PoissonSampled(q, new GaussianEvent(sigmas[random.Next(sigmas.Length)])), (long)Math.Ceiling(1 / q));
    }
}
