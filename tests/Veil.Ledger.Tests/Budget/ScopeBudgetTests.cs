using Veil.Ledger.Accountants;
using Veil.Ledger.Budget;
using Veil.Ledger.Events;
using Veil.Ledger.Scopes;
using Veil.Ledger.Store;
using Veil.Ledger.Tests.Store;
using Xunit;

namespace Veil.Ledger.Tests.Budget;

/// <summary>The budget belongs to examples: what a run spends is charged to every example of its scope, whichever scope later names them.</summary>
public class ScopeBudgetTests : IDisposable
{
    private static readonly DpEvent Step = new PoissonSampled(0.05, new GaussianEvent(1.0));
    private static readonly RdpAccountant Rdp = new();
    private readonly TemporaryLedger _ledger = new();

    public void Dispose() => _ledger.Dispose();

    private static double EpsilonOf(int steps) => Rdp.Epsilon([new SelfComposed(Step, steps)], 1e-5).Epsilon;

    private static DataScope Range(int from, int count) => DataScope.Of(Enumerable.Range(from, count).Select(i => (ulong)i * 0x9E3779B97F4A7C15UL));

    private static void Spend(BudgetGuard guard, DataScope scope, string run, int steps)
    {
        for (var i = 0; i < steps; i++) Assert.IsType<SpendOutcome.Recorded>(guard.TrySpend(PendingEvent.NewRelease(scope.Id, run, i, Step)));
    }

    [Fact]
    public void A_subset_of_spent_data_shares_its_budget()
    {
        using var store = _ledger.Open();
        var (all, allButOne) = (Range(0, 60_000), Range(1, 59_999));
        store.PutScope(all);
        store.PutScope(allButOne);
        var guard = new BudgetGuard(store, Rdp, new PrivacyBudget(EpsilonOf(10) + 1e-9, 1e-5));
        Spend(guard, all, "full", 10);
        Assert.Equal(EpsilonOf(10), guard.Epsilon(allButOne.Id).Epsilon, 12);
        var planned = guard.CheckPlanned(allButOne.Id, new SelfComposed(Step, 1));
        Assert.NotNull(planned);
        Assert.Contains("run full: 10 events", planned);
        var refused = Assert.IsType<SpendOutcome.Refused>(guard.TrySpend(PendingEvent.NewRelease(allButOne.Id, "subset", 0, Step)));
        Assert.Contains("run full: 10 events", refused.Reason);
        Assert.Contains("59,999", refused.Reason); // the block: all of the subset
        Assert.Contains("remaining ε", refused.Reason);
        Assert.Equal(10, store.ReadAll().Count);
    }

    [Fact]
    public void Disjoint_scopes_do_not_share_budgets()
    {
        using var store = _ledger.Open();
        var (first, second) = (Range(0, 30_000), Range(30_000, 30_000));
        store.PutScope(first);
        store.PutScope(second);
        var guard = new BudgetGuard(store, Rdp, new PrivacyBudget(EpsilonOf(10) + 1e-9, 1e-5));
        Spend(guard, first, "a", 10);
        Spend(guard, second, "b", 10);
        Assert.Equal(EpsilonOf(10), guard.Epsilon(first.Id).Epsilon, 12);
        Assert.Equal(["b"], guard.Spent(second.Id).Runs.Select(r => r.RunId));
    }

    [Fact]
    public void An_example_in_two_runs_scopes_is_charged_for_both()
    {
        using var store = _ledger.Open();
        var (a, b, onlyB) = (Range(0, 100), Range(50, 100), Range(100, 50));
        foreach (var s in new[] { a, b, onlyB }) store.PutScope(s);
        var guard = new BudgetGuard(store, Rdp, new PrivacyBudget(EpsilonOf(10) + 1e-9, 1e-5));
        Spend(guard, a, "run-a", 6);
        Spend(guard, b, "run-b", 4);
        Assert.Equal(EpsilonOf(10), guard.Epsilon(b.Id).Epsilon, 12); // examples 50–99
        Assert.Equal(["run-a", "run-b"], guard.Spent(a.Id).Runs.Select(r => r.RunId));
        Assert.Equal(EpsilonOf(4), guard.Epsilon(onlyB.Id).Epsilon, 12); // examples 100–149: run b only
        Assert.Null(guard.CheckPlanned(onlyB.Id, new SelfComposed(Step, 6)));
        var refused = Assert.IsType<SpendOutcome.Refused>(guard.TrySpend(PendingEvent.NewRelease(a.Id, "run-a", 6, Step)));
        Assert.Contains("50 of them", refused.Reason);
    }

    [Fact]
    public void An_event_on_a_scope_that_was_never_stored_is_refused_and_nothing_is_written()
    {
        using var store = _ledger.Open();
        var guard = new BudgetGuard(store, Rdp, new PrivacyBudget(100, 1e-5));
        var unstored = Range(0, 10);
        var refused = Assert.IsType<SpendOutcome.Refused>(guard.TrySpend(PendingEvent.NewRelease(unstored.Id, "run", 0, Step)));
        Assert.Contains("PutScope", refused.Reason);
        Assert.Contains(unstored.Id, guard.CheckPlanned(unstored.Id, Step));
        Assert.Empty(store.ReadAll());
    }

    [Fact]
    public void Legacy_records_still_verify_and_compose_only_among_themselves()
    {
        using var store = _ledger.Open();
        for (var i = 0; i < 10; i++) store.Append(PendingEvent.NewRelease("3f2a9c1b7d", "old-run", i, Step)); // written before scopes existed
        var scope = Range(0, 1000);
        store.PutScope(scope);
        var guard = new BudgetGuard(store, Rdp, new PrivacyBudget(EpsilonOf(10) + 1e-9, 1e-5));
        Assert.Equal(0, guard.Epsilon(scope.Id).Epsilon);
        Spend(guard, scope, "new-run", 10);
        Assert.Equal(EpsilonOf(10), guard.Epsilon("3f2a9c1b7d").Epsilon, 12);
        Assert.Equal(["old-run"], guard.Spent("3f2a9c1b7d").Runs.Select(r => r.RunId));
        var refused = Assert.IsType<SpendOutcome.Refused>(guard.TrySpend(PendingEvent.NewRelease("3f2a9c1b7d", "old-run", 10, Step)));
        Assert.Contains("dataset 3f2a9c1b7d", refused.Reason);
        Assert.Contains("run old-run: 10 events", refused.Reason);
        Assert.Equal(LedgerVerification.Ok(20), store.Verify());
    }

    [Fact]
    public void An_insecure_run_is_recorded_without_a_budget_and_refuses_every_later_run_on_its_examples()
    {
        using var store = _ledger.Open();
        var (debug, overlapping, elsewhere) = (Range(0, 100), Range(90, 100), Range(500, 100));
        foreach (var s in new[] { debug, overlapping, elsewhere }) store.PutScope(s);
        var guard = new BudgetGuard(store, Rdp, new PrivacyBudget(EpsilonOf(10), 1e-5));
        var insecure = new InsecureRandomness(new SelfComposed(Step, 1000)); // far past the budget had it been secure
        var recorded = Assert.IsType<SpendOutcome.Recorded>(guard.TrySpend(PendingEvent.NewRelease(debug.Id, "debug-7", 0, insecure)));
        Assert.Equal(double.PositiveInfinity, recorded.EpsilonSpent);
        Assert.Equal(double.PositiveInfinity, guard.Epsilon(overlapping.Id).Epsilon);
        var refused = Assert.IsType<SpendOutcome.Refused>(guard.TrySpend(PendingEvent.NewRelease(overlapping.Id, "secure", 0, Step)));
        Assert.Contains("run debug-7 used insecure reproducible randomness: ε of its examples is ∞; use a fresh ledger for debugging runs", refused.Reason);
        Assert.Contains("10 of them", refused.Reason);
        Assert.NotNull(guard.CheckPlanned(overlapping.Id, Step));
        Assert.IsType<SpendOutcome.Recorded>(guard.TrySpend(PendingEvent.NewRelease(elsewhere.Id, "secure", 0, Step)));
        Assert.Equal(2, store.ReadAll().Count);
    }

    [Fact]
    public void A_scope_stored_by_another_process_is_seen_by_the_append_that_first_uses_it()
    {
        using var store = _ledger.Open();
        using var other = _ledger.Open();
        var guard = new BudgetGuard(store, Rdp, new PrivacyBudget(EpsilonOf(10) + 1e-9, 1e-5));
        var (a, b) = (Range(0, 100), Range(0, 99));
        other.PutScope(a);
        Spend(new BudgetGuard(other, Rdp, new PrivacyBudget(100, 1e-5)), a, "elsewhere", 10);
        other.PutScope(b);
        Assert.IsType<SpendOutcome.Refused>(guard.TrySpend(PendingEvent.NewRelease(b.Id, "here", 0, Step)));
    }

    [Fact]
    public void The_ledger_summary_groups_overlapping_scopes_into_datasets_with_their_worst_example()
    {
        using var store = _ledger.Open();
        var (a, b, c) = (Range(0, 100), Range(50, 100), Range(1000, 10));
        foreach (var s in new[] { a, b, c }) store.PutScope(s);
        for (var i = 0; i < 3; i++) store.Append(PendingEvent.NewRelease("legacy-fp", "old", i, Step));
        var guard = new BudgetGuard(store, Rdp, new PrivacyBudget(100, 1e-5));
        Spend(guard, a, "run-a", 6);
        Spend(guard, b, "run-b", 4);
        Spend(guard, c, "run-c", 2);
        var summary = LedgerSummary.Of(store.ReadAll(), store.ReadScopeIds().Select(s => store.ReadScope(s.Id)!), Rdp, 1e-5);
        var blocks = summary.Blocks.ToDictionary(x => string.Join('+', x.Scopes.Select(s => s == a.Id ? "a" : s == b.Id ? "b" : s == c.Id ? "c" : s).Order()));
        Assert.Equal(["a", "a+b", "b", "c", "legacy-fp"], blocks.Keys.Order());
        Assert.Equal(50, blocks["a"].Examples);
        Assert.Equal(50, blocks["a+b"].Examples);
        Assert.Null(blocks["legacy-fp"].Examples);
        Assert.Equal(EpsilonOf(10), blocks["a+b"].Epsilon, 12);
        Assert.Equal(["run-a", "run-b"], blocks["a+b"].Runs.Select(r => r.RunId));
        Assert.Equal(3, summary.Datasets.Count);
        var ab = Assert.Single(summary.Datasets, d => d.Scopes.Count == 2);
        Assert.Equal(150, ab.Examples);
        Assert.Equal(EpsilonOf(10), ab.WorstEpsilon, 12);
        Assert.Equal(10, ab.Records);
        Assert.Equal(EpsilonOf(3), Assert.Single(summary.Datasets, d => d.Scopes[0] == "legacy-fp").WorstEpsilon, 12);
    }
}
