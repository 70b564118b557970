using Veil.Ledger.Accountants;
using Veil.Ledger.Events;
using Veil.Ledger.Tests.Budget;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

/// <summary>
/// A tally folded chunk by chunk must give the ε of recomputing from the whole history, to 1e-12
/// relative. Deterministic: fixed seeds (the InlineData), so a failure is a real difference, never chance.
/// </summary>
public class TallyMatchesFullRecomputationTests
{
    private const double Tolerance = 1e-12;

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)] [InlineData(5)]
    [InlineData(6)] [InlineData(7)] [InlineData(8)] [InlineData(9)] [InlineData(10)]
    public void Rdp_tally_folded_in_random_chunks_equals_full_recomputation_on_mixed_histories(int seed)
    {
        var random = new RandomHistories(seed);
        var rdp = new RdpAccountant();
        var history = random.NextHistory(400);
        AssertFoldsMatch(rdp, history, random, [1e-5, 1e-8, 0.3]);
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)]
    public void Pld_tally_folded_in_random_chunks_equals_full_recomputation_on_mixed_histories(int seed)
    {
        var random = new RandomHistories(100 + seed);
        // A coarser grid keeps the test quick; the fold is the same at any grid.
        var pld = new PldAccountant(valueDiscretisationInterval: 1e-2);
        var history = random.NextHistory(60, pldOnly: true);
        AssertFoldsMatch(pld, history, random, [1e-5]);
    }

    [Fact]
    public void Rdp_tally_of_a_million_identical_steps_folded_one_by_one_does_not_drift()
    {
        // Plain summation drifts here by more than the tolerance; the compensated sum does not.
        const int steps = 1_000_000;
        var rdp = new RdpAccountant();
        var step = new PoissonSampled(256.0 / 60000, new GaussianEvent(1.1));
        var tally = rdp.StartTally();
        var chunk = Enumerable.Range(0, 1000).Select(_ => (DpEvent)new PoissonSampled(step.SamplingRate, new GaussianEvent(1.1))).ToArray();
        for (var i = 0; i < steps / chunk.Length; i++) tally = tally.With(chunk);
        var full = rdp.Epsilon([new SelfComposed(step, steps)], 1e-5).Epsilon;
        AssertClose(full, tally.Epsilon(1e-5).Epsilon);
    }

    [Fact]
    public void An_accountant_without_a_fold_of_its_own_recomputes_from_the_kept_events()
    {
        var random = new RandomHistories(77);
        var history = random.NextHistory(50);
        IPrivacyAccountant plain = new ListOnlyAccountant(new RdpAccountant());
        AssertFoldsMatch(plain, history, random, [1e-5]);
    }

    private static void AssertFoldsMatch(IPrivacyAccountant accountant, List<DpEvent> history, RandomHistories random, double[] deltas)
    {
        var tally = accountant.StartTally();
        var folded = 0;
        while (folded < history.Count)
        {
            var chunk = 1 + random.Next(Math.Min(20, history.Count - folded));
            tally = tally.With(history.Skip(folded).Take(chunk));
            folded += chunk;
            // Checked at every prefix, as a budget check would be.
            foreach (var delta in deltas)
                AssertClose(accountant.Epsilon(history.Take(folded), delta).Epsilon, tally.Epsilon(delta).Epsilon);
        }
        foreach (var delta in deltas)
            AssertClose(accountant.Epsilon(history, delta).Epsilon, tally.Epsilon(delta).Epsilon);
    }

    private static void AssertClose(double expected, double actual)
    {
        if (expected == actual) return;
        Assert.True(Math.Abs(actual - expected) <= Tolerance * Math.Abs(expected), $"tally ε {actual:R} vs full recomputation {expected:R}");
    }

    /// <summary>Takes the interface's default tally (keep the events, recompute).</summary>
    private sealed class ListOnlyAccountant(IPrivacyAccountant inner) : IPrivacyAccountant
    {
        public string Name => "list-only";

        public PrivacySpent Epsilon(IEnumerable<DpEvent> history, double delta) => inner.Epsilon(history, delta);
    }
}
