using MathNet.Numerics.Distributions;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Ownership;
using Veil.DataLoading.Sampling;
using Xunit;

namespace Veil.DataLoading.Tests.Sampling;

/// <summary>
/// User-level Poisson sampling. Seeds are fixed, so each test is deterministic; the stated false-failure rate is the chance that a
/// correct sampler fails for a seed picked at random: α = 0.001 per chi-square test, below 1e-5 for the z-bound.
/// </summary>
public sealed class UserPoissonSamplerTests
{
    private const double Alpha = 0.001;

    // User u owns 1 + (u mod 7) examples: users of 1 to 7 examples, interleaved in index order.
    private static ExampleOwners Owners(int users)
    {
        var owners = new List<string?>();
        for (var u = 0; u < users; u++) owners.AddRange(Enumerable.Repeat<string?>($"user-{u:D5}", 1 + u % 7));
        return ExampleOwners.FromUserIds(owners, i => $"example {i}");
    }

    private static double ChiSquare(IReadOnlyList<(double Expected, int Observed)> bins) =>
        bins.Sum(b => (b.Observed - b.Expected) * (b.Observed - b.Expected) / b.Expected);

    [Fact]
    public void The_number_of_sampled_users_is_Binomial_U_q_by_chi_square()
    {
        const int users = 400, steps = 4000;
        const double q = 0.05;
        var sampler = new UserPoissonSampler(Owners(users), q, examplesPerUser: 3, SamplerSeed.FromUInt64(20261206));
        var observed = new int[users + 1];
        for (long step = 0; step < steps; step++) observed[sampler.Sample(step).Count]++;
        var binomial = new Binomial(q, users);
        // Bins [0, a], a+1, …, [b, U] with an expected count ≥ 5 each.
        var bins = new List<(double Expected, int Observed)>();
        double expected = 0;
        var count = 0;
        for (var x = 0; x <= users; x++)
        {
            expected += steps * binomial.Probability(x);
            count += observed[x];
            if (expected >= 5 && steps * (1 - binomial.CumulativeDistribution(x)) >= 5)
            {
                bins.Add((expected, count));
                (expected, count) = (0, 0);
            }
        }
        bins[^1] = (bins[^1].Expected + expected, bins[^1].Observed + count);
        var critical = ChiSquared.InvCDF(bins.Count - 1, 1 - Alpha);
        Assert.True(bins.Count >= 8, $"only {bins.Count} bins: the test would have no power");
        Assert.True(ChiSquare(bins) < critical, $"χ² = {ChiSquare(bins):F2} ≥ {critical:F2}: user counts are not Binomial({users}, {q})");
    }

    [Fact]
    public void A_user_is_sampled_independently_of_the_previous_step()
    {
        // |B_s ∩ B_{s+1}| summed over steps is Binomial(U·(T−1), q²) when steps are independent: z-bound at 4.5σ (false failure < 1e-5).
        const int users = 300, steps = 3000;
        const double q = 0.2;
        var owners = Owners(users);
        var sampler = new UserPoissonSampler(owners, q, examplesPerUser: 2, SamplerSeed.FromUInt64(77));
        long both = 0;
        var previous = new HashSet<int>();
        for (long step = 0; step < steps; step++)
        {
            var current = sampler.Sample(step).Select(e => owners.UserOf(e[0])).ToHashSet();
            both += current.Count(previous.Contains);
            previous = current;
        }
        double n = (double)users * (steps - 1), p = q * q;
        var z = (both - n * p) / Math.Sqrt(n * p * (1 - p));
        Assert.True(Math.Abs(z) < 4.5, $"z = {z:F2}: consecutive steps are not independent ({both} users in both, expected {n * p:F0})");
    }

    [Fact]
    public void A_sampled_user_brings_at_most_k_of_their_own_examples_all_when_they_have_fewer()
    {
        var owners = Owners(70);
        var sampler = new UserPoissonSampler(owners, 0.5, examplesPerUser: 4, SamplerSeed.FromUInt64(3));
        for (long step = 0; step < 50; step++)
            foreach (var examples in sampler.Sample(step))
            {
                var user = owners.UserOf(examples[0]);
                Assert.All(examples, e => Assert.Equal(user, owners.UserOf(e)));
                Assert.Equal(examples.Length, examples.Distinct().Count());
                Assert.Equal(Math.Min(4, owners.ExamplesOf(user).Count), examples.Length);
                Assert.True(examples.SequenceEqual(examples.Order()), "a user's examples come in index order");
            }
    }

    [Fact]
    public void The_k_examples_of_a_user_are_a_uniform_subset_by_chi_square()
    {
        // One user of 5 examples, k = 2: each of the C(5, 2) = 10 pairs has probability 1/10.
        var owners = ExampleOwners.FromUserIds(Enumerable.Repeat<string?>("only", 5).ToArray(), i => $"example {i}");
        var sampler = new UserPoissonSampler(owners, 1.0, examplesPerUser: 2, SamplerSeed.FromUInt64(5));
        const int steps = 5000;
        var pairs = new Dictionary<(int, int), int>();
        for (long step = 0; step < steps; step++)
        {
            var e = sampler.Sample(step)[0];
            pairs[(e[0], e[1])] = pairs.GetValueOrDefault((e[0], e[1])) + 1;
        }
        Assert.Equal(10, pairs.Count);
        var chi = ChiSquare(pairs.Values.Select(c => (steps / 10.0, c)).ToList());
        Assert.True(chi < ChiSquared.InvCDF(9, 1 - Alpha), $"χ² = {chi:F2}: the pairs are not uniform");
    }

    [Fact]
    public void The_same_seed_and_step_redraw_the_same_users_and_examples()
    {
        var a = new UserPoissonSampler(Owners(100), 0.3, 3, SamplerSeed.FromUInt64(9)).Sample(12);
        var b = new UserPoissonSampler(Owners(100), 0.3, 3, SamplerSeed.FromHex(SamplerSeed.FromUInt64(9).ToHex())).Sample(12);
        Assert.Equal(a.Select(e => string.Join(",", e)), b.Select(e => string.Join(",", e)));
    }

    [Fact]
    public void Zero_examples_per_user_is_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new UserPoissonSampler(Owners(10), 0.1, 0, SamplerSeed.FromUInt64(1)));
        Assert.Contains("veil.privacy.examples-per-user", e.Message);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(64)]
    public void A_user_is_never_split_across_micro_batches(int microBatch)
    {
        var owners = Owners(200);
        var planner = new StepPlanner(new UserPoissonSampler(owners, 0.3, 7, SamplerSeed.FromUInt64(2)), new MicroBatchPlanner(microBatch));
        for (long step = 0; step < 20; step++)
        {
            var plan = planner.Plan(step);
            var seen = new HashSet<int>();
            foreach (var m in plan.MicroBatches)
            {
                Assert.InRange(m.Count, 1, microBatch);
                Assert.NotNull(m.Owners);
                var users = m.Indices.Select(owners.UserOf).ToArray();
                for (var i = 0; i < m.Count; i++)
                {
                    // Local owner numbers follow the users: same user, same number; a new user, the next number.
                    Assert.Equal(users.Take(i + 1).Distinct().Count() - 1, m.Owners![i]);
                }
                foreach (var u in users.Distinct()) Assert.True(seen.Add(u), $"step {step}: user {u} appears in two micro-batches");
            }
        }
    }

    [Fact]
    public void More_examples_per_user_than_a_micro_batch_holds_is_refused_naming_both_keys()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new StepPlanner(new UserPoissonSampler(Owners(10), 0.1, 9, SamplerSeed.FromUInt64(1)), new MicroBatchPlanner(8)));
        Assert.Contains("veil.privacy.examples-per-user", e.Message);
        Assert.Contains("veil.runtime.micro-batch-size", e.Message);
    }
}
