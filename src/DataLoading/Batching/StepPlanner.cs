using Veil.DataLoading.Sampling;

namespace Veil.DataLoading.Batching;

/// <summary>
/// Sampler and planner together: step number in, <see cref="StepPlan"/> out. Deterministic in
/// (seed, step), so a resumed run replans any step identically.
/// </summary>
public sealed class StepPlanner(PoissonSampler sampler, MicroBatchPlanner planner)
{
    public PoissonSampler Sampler { get; } = sampler;

    public MicroBatchPlanner Planner { get; } = planner;

    public StepPlan Plan(long step) => Planner.Plan(step, Sampler.Sample(step));

    /// <summary>Plans of steps <paramref name="firstStep"/> … firstStep+count−1, lazily (feed them to the prefetcher).</summary>
    public IEnumerable<StepPlan> Plans(long firstStep, long count)
    {
        for (long step = firstStep; step < firstStep + count; step++) yield return Plan(step);
    }
}
