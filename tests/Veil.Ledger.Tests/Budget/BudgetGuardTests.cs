using Veil.Ledger.Accountants;
using Veil.Ledger.Budget;
using Veil.Ledger.Events;
using Veil.Ledger.Store;
using Veil.Ledger.Tests.Store;
using Xunit;

namespace Veil.Ledger.Tests.Budget;

public class BudgetGuardTests : IDisposable
{
    private readonly TemporaryLedger _ledger = new();
    private static readonly DpEvent Step = new PoissonSampled(0.05, new GaussianEvent(1.0));
    private static readonly RdpAccountant Rdp = new();

    public void Dispose() => _ledger.Dispose();

    private static double EpsilonOf(int steps) => Rdp.Epsilon([new SelfComposed(Step, steps)], 1e-5).Epsilon;

    [Fact]
    public void Spending_within_budget_is_recorded_and_reports_the_dataset_total()
    {
        using var store = _ledger.Open();
        var guard = new BudgetGuard(store, Rdp, new PrivacyBudget(EpsilonOf(10) + 1e-9, 1e-5));
        SpendOutcome last = null!;
        for (var i = 0; i < 10; i++) last = guard.TrySpend(PendingEvent.NewRelease("ds", "run-a", i, Step));
        var recorded = Assert.IsType<SpendOutcome.Recorded>(last);
        Assert.Equal(EpsilonOf(10), recorded.EpsilonSpent, 12);
        Assert.Equal(10, store.ReadAll().Count);
    }

    [Fact]
    public void A_step_past_the_budget_is_refused_nothing_is_written_and_the_reason_names_runs_and_remainder()
    {
        using var store = _ledger.Open();
        var guard = new BudgetGuard(store, Rdp, new PrivacyBudget(EpsilonOf(10) + 1e-9, 1e-5));
        for (var i = 0; i < 6; i++) Assert.IsType<SpendOutcome.Recorded>(guard.TrySpend(PendingEvent.NewRelease("ds", "tuning-1", i, Step)));
        for (var i = 0; i < 4; i++) Assert.IsType<SpendOutcome.Recorded>(guard.TrySpend(PendingEvent.NewRelease("ds", "final", i, Step)));
        var refused = Assert.IsType<SpendOutcome.Refused>(guard.TrySpend(PendingEvent.NewRelease("ds", "final", 4, Step)));
        Assert.Contains("run tuning-1: 6 events", refused.Reason);
        Assert.Contains("run final: 4 events", refused.Reason);
        Assert.Contains("remaining ε", refused.Reason);
        Assert.Contains("veil.privacy.budget.epsilon", refused.Reason);
        Assert.Equal(10, store.ReadAll().Count);
        Assert.True(store.Verify().Valid);
    }

    [Fact]
    public void Runs_on_the_same_dataset_add_up_and_other_datasets_do_not_count()
    {
        using var store = _ledger.Open();
        var guard = new BudgetGuard(store, Rdp, new PrivacyBudget(100, 1e-5));
        for (var i = 0; i < 5; i++) guard.TrySpend(PendingEvent.NewRelease("ds", "run-a", i, Step));
        for (var i = 0; i < 5; i++) guard.TrySpend(PendingEvent.NewRelease("ds", "run-b", i, Step));
        for (var i = 0; i < 50; i++) guard.TrySpend(PendingEvent.NewRelease("other-ds", "run-c", i, Step));
        var spent = guard.Spent("ds");
        Assert.Equal(EpsilonOf(10), spent.Epsilon, 12);
        Assert.Equal(["run-a", "run-b"], spent.Runs.Select(r => r.RunId));
    }

    [Fact]
    public void A_planned_run_that_would_exceed_the_budget_is_refused_before_it_starts()
    {
        using var store = _ledger.Open();
        var guard = new BudgetGuard(store, Rdp, new PrivacyBudget(EpsilonOf(20), 1e-5));
        for (var i = 0; i < 15; i++) guard.TrySpend(PendingEvent.NewRelease("ds", "earlier", i, Step));
        Assert.Null(guard.CheckPlanned("ds", new SelfComposed(Step, 5)));
        var refusal = guard.CheckPlanned("ds", new SelfComposed(Step, 6));
        Assert.NotNull(refusal);
        Assert.Contains("run earlier: 15 events", refusal);
    }

    [Fact]
    public void Each_append_reads_only_the_records_committed_since_the_guards_last_look()
    {
        using var store = new CountingStore(_ledger.Open());
        using var other = _ledger.Open(); // another process's appends must still be read, once
        var guard = new BudgetGuard(store, Rdp, new PrivacyBudget(100, 1e-5));
        for (var i = 0; i < 200; i++)
        {
            if (i % 10 == 0) other.Append(PendingEvent.NewRelease("ds", "elsewhere", i, Step));
            var before = store.RecordsRead;
            Assert.IsType<SpendOutcome.Recorded>(guard.TrySpend(PendingEvent.NewRelease("ds", "run-a", i, Step)));
            Assert.True(store.RecordsRead - before <= 1, $"append {i} read {store.RecordsRead - before} records");
        }
        Assert.Equal(20, store.RecordsRead); // exactly the other process's records, nothing twice
        Assert.Equal(EpsilonOf(220), guard.Epsilon("ds").Epsilon, 12);
    }

    [Fact]
    public void A_ledger_shorter_than_the_guard_has_seen_is_recounted_from_scratch()
    {
        // A guard outliving its ledger being replaced by an older copy must not keep the newer copy's ε.
        using var newer = _ledger.Open();
        using var older = new TemporaryLedger();
        using var olderStore = older.Open();
        for (var i = 0; i < 3; i++) olderStore.Append(PendingEvent.NewRelease("ds", "run-a", i, Step));
        var switching = new SwitchingStore(newer);
        var guard = new BudgetGuard(switching, Rdp, new PrivacyBudget(100, 1e-5));
        for (var i = 0; i < 8; i++) guard.TrySpend(PendingEvent.NewRelease("ds", "run-a", i, Step));
        switching.Inner = olderStore;
        var recorded = Assert.IsType<SpendOutcome.Recorded>(guard.TrySpend(PendingEvent.NewRelease("ds", "run-a", 3, Step)));
        Assert.Equal(EpsilonOf(4), recorded.EpsilonSpent, 12);
    }

    [Fact]
    public void Budget_values_are_validated() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrivacyBudget(3, 1.5));
}
