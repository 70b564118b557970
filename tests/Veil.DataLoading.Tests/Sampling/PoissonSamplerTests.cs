using Veil.DataLoading.Sampling;
using Xunit;

namespace Veil.DataLoading.Tests.Sampling;

public sealed class PoissonSamplerTests
{
    private static readonly SamplerSeed Seed = SamplerSeed.FromUInt64(42);

    [Fact]
    public void The_same_seed_and_step_redraw_the_same_batch_as_a_resumed_run_must()
    {
        int[] first = new PoissonSampler(10_000, 0.01, Seed).Sample(123);
        int[] resumed = new PoissonSampler(10_000, 0.01, SamplerSeed.FromHex(Seed.ToHex())).Sample(123);
        Assert.Equal(first, resumed);
    }

    [Fact]
    public void A_step_does_not_depend_on_which_steps_were_drawn_before()
    {
        var sampler = new PoissonSampler(10_000, 0.01, Seed);
        int[] direct = sampler.Sample(7);
        for (long s = 0; s < 7; s++) sampler.Sample(s);
        Assert.Equal(direct, sampler.Sample(7));
    }

    [Fact]
    public void Different_steps_draw_different_batches()
    {
        var sampler = new PoissonSampler(10_000, 0.01, Seed);
        var batches = Enumerable.Range(0, 50).Select(s => string.Join(",", sampler.Sample(s))).ToHashSet();
        Assert.Equal(50, batches.Count);
    }

    [Fact]
    public void Different_seeds_draw_different_batches()
    {
        Assert.NotEqual(new PoissonSampler(10_000, 0.01, SamplerSeed.FromUInt64(1)).Sample(0),
                        new PoissonSampler(10_000, 0.01, SamplerSeed.FromUInt64(2)).Sample(0));
    }

    [Fact]
    public void Indices_are_sorted_distinct_and_inside_the_dataset()
    {
        var sampler = new PoissonSampler(1000, 0.3, Seed);
        for (long step = 0; step < 200; step++)
        {
            int[] batch = sampler.Sample(step);
            for (int i = 0; i < batch.Length; i++)
            {
                Assert.InRange(batch[i], 0, 999);
                if (i > 0) Assert.True(batch[i] > batch[i - 1], $"step {step}: {batch[i - 1]} then {batch[i]}");
            }
        }
    }

    [Fact]
    public void Rate_zero_draws_nobody_and_rate_one_draws_everybody()
    {
        Assert.Empty(new PoissonSampler(100, 0, Seed).Sample(0));
        Assert.Equal(Enumerable.Range(0, 100), new PoissonSampler(100, 1, Seed).Sample(0));
    }

    [Fact]
    public void Expected_batch_size_is_q_times_N()
    {
        Assert.Equal(256.0, new PoissonSampler(60_000, 256.0 / 60_000, Seed).ExpectedBatchSize, 1e-9);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_rate_outside_zero_one_is_refused(double q)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PoissonSampler(10, q, Seed));
    }

    [Fact]
    public void Production_seeds_come_from_the_CSPRNG_and_are_never_printed()
    {
        SamplerSeed a = SamplerSeed.FromCsprng(), b = SamplerSeed.FromCsprng();
        Assert.NotEqual(a.ToHex(), b.ToHex());
        Assert.Matches("^[0-9a-f]{64}$", a.ToHex());
        Assert.DoesNotContain(a.ToHex(), a.ToString());
    }

    [Fact]
    public void A_damaged_saved_seed_is_refused()
    {
        Assert.Throws<FormatException>(() => SamplerSeed.FromHex("abc"));
        Assert.Throws<FormatException>(() => SamplerSeed.FromHex(new string('g', 64)));
    }
}
