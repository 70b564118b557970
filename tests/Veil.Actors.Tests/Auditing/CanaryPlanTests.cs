using Veil.Actors.Auditing;
using Veil.DataLoading.Datasets;
using Xunit;

namespace Veil.Actors.Tests.Auditing;

public class CanaryPlanTests
{
    private static readonly ImageDataset Pool = SyntheticImageDataset.CreateSplits(3000, 10, seed: 4).Train;

    [Fact]
    public void Canaries_are_distinct_examples_each_with_a_wrong_label()
    {
        var plan = CanaryPlan.Draw(Pool, 500, seed: 9);
        Assert.Equal(500, plan.Indices.Distinct().Count());
        Assert.All(plan.Indices, i => Assert.InRange(i, 0, Pool.Count - 1));
        for (var c = 0; c < plan.Count; c++)
        {
            Assert.NotEqual(Pool.Labels[plan.Indices[c]], plan.WrongLabels[c]);
            Assert.InRange(plan.WrongLabels[c], 0, Pool.Classes - 1);
        }
    }

    [Fact]
    public void The_training_set_is_every_ordinary_example_plus_the_included_canaries_relabelled()
    {
        var plan = CanaryPlan.Draw(Pool, 500, seed: 9);
        var train = plan.TrainingSet(Pool);
        var included = plan.Included.Count(x => x);
        Assert.Equal(Pool.Count - 500 + included, train.Count);
        var canaryOf = plan.Indices.Select((index, c) => (index, c)).ToDictionary(p => p.index, p => p.c);
        var size = Pool.ExampleSize;
        var k = 0;
        for (var i = 0; i < Pool.Count; i++)
        {
            var isCanary = canaryOf.TryGetValue(i, out var c);
            if (isCanary && !plan.Included[c]) continue;
            Assert.True(Pool.Pixels.AsSpan(i * size, size).SequenceEqual(train.Pixels.AsSpan(k * size, size)), $"example {i}");
            Assert.Equal(isCanary ? plan.WrongLabels[c] : Pool.Labels[i], train.Labels[k]);
            k++;
        }
        Assert.Equal(train.Count, k);
        var canaries = plan.Canaries(Pool);
        Assert.Equal(plan.WrongLabels, canaries.Labels);
        Assert.True(Pool.Pixels.AsSpan(plan.Indices[7] * size, size).SequenceEqual(canaries.Pixels.AsSpan(7 * size, size)));
    }

    [Fact]
    public void The_same_seed_draws_the_same_plan_and_another_seed_another()
    {
        var a = CanaryPlan.Draw(Pool, 300, seed: 5);
        var b = CanaryPlan.Draw(Pool, 300, seed: 5);
        var c = CanaryPlan.Draw(Pool, 300, seed: 6);
        Assert.Equal(a.Indices, b.Indices);
        Assert.Equal(a.WrongLabels, b.WrongLabels);
        Assert.Equal(a.Included, b.Included);
        Assert.NotEqual(a.Indices, c.Indices);
    }

    // Seed 12, m = 2 999 fair coins: the included share has standard deviation 0.0091; |share − 1/2| > 0.04
    // is 4.4 standard deviations (false-failure rate about 1e-5 for a random seed).
    [Fact]
    public void Each_canary_is_included_with_probability_one_half()
    {
        var plan = CanaryPlan.Draw(Pool, Pool.Count - 1, seed: 12);
        var share = plan.Included.Count(x => x) / (double)plan.Count;
        Assert.InRange(share, 0.46, 0.54);
    }

    [Fact]
    public void Too_many_canaries_are_refused_naming_the_key()
    {
        var e = Assert.Throws<ArgumentException>(() => CanaryPlan.Draw(Pool, Pool.Count, seed: 1));
        Assert.Contains("veil.audit.canaries", e.Message);
        Assert.Contains($"{Pool.Count - 1}", e.Message);
        Assert.Throws<ArgumentException>(() => CanaryPlan.Draw(Pool, 0, seed: 1));
    }
}
