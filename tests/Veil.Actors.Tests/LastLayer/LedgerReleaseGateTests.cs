using Veil.Actors.LastLayer;
using Veil.Actors.Training;
using Veil.Ledger.Accountants;
using Veil.Ledger.Budget;
using Veil.Ledger.Events;
using Veil.Ledger.Store;
using Xunit;

namespace Veil.Actors.Tests.LastLayer;

public class LedgerReleaseGateTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "veil-gate-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private SqliteLedgerStore Open() => SqliteLedgerStore.Open(Path.Combine(_folder, "ledger.sqlite"));

    [Fact]
    public void Each_release_is_durably_recorded_with_the_next_step_of_the_run_before_commit_returns()
    {
        using var store = Open();
        var gate = new LedgerReleaseGate(new BudgetGuard(store, new RdpAccountant(), new PrivacyBudget(10, 1e-5)), "ds", "run-1");
        gate.Commit("covariance", new GaussianEvent(2));
        Assert.Single(store.ReadAll());
        gate.Commit("targets", new GaussianEvent(3));
        var records = store.ReadAll();
        Assert.Equal([0L, 1L], records.Select(r => r.Step));
        Assert.Equal([new GaussianEvent(2), new GaussianEvent(3)], records.Select(r => r.Event));
        Assert.Equal(LedgerReleaseGate.ReleaseId("run-1", "targets"), records[1].ReleaseId);
    }

    [Fact]
    public void Committing_the_same_release_of_the_same_run_again_is_not_a_second_release()
    {
        using var store = Open();
        var guard = new BudgetGuard(store, new RdpAccountant(), new PrivacyBudget(10, 1e-5));
        new LedgerReleaseGate(guard, "ds", "run-1").Commit("covariance", new GaussianEvent(2));
        new LedgerReleaseGate(guard, "ds", "run-1").Commit("covariance", new GaussianEvent(2)); // e.g. a retry from a fresh gate
        new LedgerReleaseGate(guard, "ds", "run-2").Commit("covariance", new GaussianEvent(2)); // another run: another release
        Assert.Equal(2, store.ReadAll().Count);
    }

    [Fact]
    public void A_release_past_the_budget_throws_and_writes_nothing()
    {
        using var store = Open();
        var rdp = new RdpAccountant();
        var budget = rdp.Epsilon([new GaussianEvent(1)], 1e-5).Epsilon * 1.01;
        var gate = new LedgerReleaseGate(new BudgetGuard(store, rdp, new PrivacyBudget(budget, 1e-5)), "ds", "run-1");
        gate.Commit("covariance", new GaussianEvent(1));
        var refused = Assert.Throws<TrainingFailedException>(() => gate.Commit("targets", new GaussianEvent(1)));
        Assert.Contains("targets", refused.Message);
        Assert.Single(store.ReadAll());
        Assert.Equal(1, gate.Releases);
    }
}
