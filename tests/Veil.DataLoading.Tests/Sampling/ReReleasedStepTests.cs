using Veil.DataLoading.Sampling;
using Veil.Ledger.Store;
using Xunit;

namespace Veil.DataLoading.Tests.Sampling;

/// <summary>
/// A step already in the ledger (released before a crash) is sampled afresh when it is released again: each
/// ledger event must be one independent Poisson-subsampled Gaussian. Steps never released draw as they always would.
/// </summary>
public class ReReleasedStepTests
{
    private static LedgerRecord Record(string run, long step, long sequence) =>
        new(sequence, Guid.NewGuid().ToString("N"), "scope-x", run, step, "{}", 0, LedgerRecord.GenesisHash, LedgerRecord.GenesisHash);

    [Fact]
    public void A_re_released_step_draws_a_new_batch_and_other_steps_draw_the_same_one()
    {
        var seed = SamplerSeed.FromUInt64(42);
        var prior = PriorReleases.Of([Record("run", 3, 1), Record("other-run", 4, 2)], "run");
        var first = new PoissonSampler(10_000, 0.05, seed);
        var resumed = new PoissonSampler(10_000, 0.05, seed, prior);

        Assert.NotEqual(first.Sample(3), resumed.Sample(3));
        Assert.Equal(first.Sample(4), resumed.Sample(4)); // another run's record is not this run's release
        Assert.Equal(first.Sample(5), resumed.Sample(5));
    }

    [Fact]
    public void Each_further_re_release_of_a_step_draws_another_batch()
    {
        var seed = SamplerSeed.FromUInt64(42);
        var once = new PoissonSampler(10_000, 0.05, seed, PriorReleases.Of([Record("run", 3, 1)], "run"));
        var twice = new PoissonSampler(10_000, 0.05, seed, PriorReleases.Of([Record("run", 3, 1), Record("run", 3, 2)], "run"));
        Assert.NotEqual(once.Sample(3), twice.Sample(3));
        Assert.Equal(2, PriorReleases.Of([Record("run", 3, 1), Record("run", 3, 2)], "run").Of(3));
    }

    [Fact]
    public void A_re_released_batch_is_still_Binomial_in_size()
    {
        // The re-release seed is a one-way derivation of the run's key: its batches are Poisson samples like any.
        var seed = SamplerSeed.FromUInt64(7);
        var records = Enumerable.Range(0, 400).Select(s => Record("run", s, s + 1)).ToList();
        var sampler = new PoissonSampler(2_000, 0.1, seed, PriorReleases.Of(records, "run"));
        var sizes = Enumerable.Range(0, 400).Select(s => (double)sampler.Sample(s).Length).ToArray();
        var mean = sizes.Average();
        // Binomial(2000, 0.1): mean 200, sd 13.4; the mean of 400 draws has sd 0.67, so ±4 is ≈6σ (false-failure rate < 1e-8).
        Assert.InRange(mean, 196, 204);
    }
}
