using Veil.DataLoading.Batching;
using Veil.DataLoading.Sampling;
using Xunit;

namespace Veil.DataLoading.Tests.Batching;

public sealed class MicroBatchPlannerTests
{
    [Theory]
    [InlineData(0, 8)]
    [InlineData(1, 8)]
    [InlineData(8, 8)]
    [InlineData(9, 8)]
    [InlineData(1000, 64)]
    [InlineData(1000, 1)]
    public void A_plan_covers_every_index_exactly_once_in_micro_batches_of_at_most_m(int examples, int m)
    {
        int[] indices = Enumerable.Range(0, examples).Select(i => i * 3 + 1).ToArray();
        StepPlan plan = new MicroBatchPlanner(m).Plan(step: 17, indices);

        Assert.Equal(indices, plan.MicroBatches.SelectMany(b => b.Indices));
        Assert.All(plan.MicroBatches, b => Assert.InRange(b.Count, 1, m));
        Assert.All(plan.MicroBatches.SkipLast(1), b => Assert.Equal(m, b.Count));
        Assert.Equal((examples + m - 1) / m, plan.MicroBatchCount);
        Assert.Equal(examples, plan.ExampleCount);
        Assert.Equal(Enumerable.Range(0, plan.MicroBatchCount).Select(i => new MicroBatchId(17, i)), plan.MicroBatches.Select(b => b.Id));
    }

    [Fact]
    public void An_empty_Poisson_batch_is_a_step_with_zero_micro_batches()
    {
        StepPlan plan = new MicroBatchPlanner(16).Plan(step: 5, []);
        Assert.Equal(5, plan.Step);
        Assert.Equal(0, plan.MicroBatchCount);
        Assert.Empty(plan.MicroBatches);
    }

    [Fact]
    public void Sampled_steps_are_planned_identically_when_replanned()
    {
        var planner = new StepPlanner(new PoissonSampler(5000, 0.02, SamplerSeed.FromUInt64(8)), new MicroBatchPlanner(32));
        StepPlan first = planner.Plan(3), again = planner.Plan(3);
        Assert.Equal(first.MicroBatches.SelectMany(b => b.Indices), again.MicroBatches.SelectMany(b => b.Indices));
        Assert.Equal(first.MicroBatchCount, again.MicroBatchCount);
    }

    [Fact]
    public void A_micro_batch_size_below_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MicroBatchPlanner(0));
    }
}
