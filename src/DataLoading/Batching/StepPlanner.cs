using Veil.DataLoading.Sampling;

namespace Veil.DataLoading.Batching;

/// <summary>
/// Sampler and planner together: step number in, <see cref="StepPlan"/> out. Deterministic in
/// (seed, step), so a resumed run replans any step identically. Example-level runs sample examples
/// (<see cref="PoissonSampler"/>); user-level runs sample users and plan them whole (<see cref="UserPoissonSampler"/>).
/// </summary>
public sealed class StepPlanner
{
    private readonly Func<long, StepPlan> _plan;

    public StepPlanner(PoissonSampler sampler, MicroBatchPlanner planner)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(planner);
        Planner = planner;
        _plan = step => planner.Plan(step, sampler.Sample(step));
    }

    public StepPlanner(UserPoissonSampler users, MicroBatchPlanner planner)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(planner);
        if (users.ExamplesPerUser > planner.MaxMicroBatchSize)
            throw new ArgumentOutOfRangeException(nameof(users), users.ExamplesPerUser,
                $"veil.privacy.examples-per-user = {users.ExamplesPerUser} exceeds veil.runtime.micro-batch-size = {planner.MaxMicroBatchSize}: " +
                "a user's examples must fit one micro-batch to be clipped as one contribution; raise the micro-batch size or lower k");
        Planner = planner;
        _plan = step => planner.PlanUsers(step, users.Sample(step));
    }

    public MicroBatchPlanner Planner { get; }

    public StepPlan Plan(long step) => _plan(step);

    /// <summary>Plans of steps <paramref name="firstStep"/> … firstStep+count−1, lazily (feed them to the prefetcher).</summary>
    public IEnumerable<StepPlan> Plans(long firstStep, long count)
    {
        for (long step = firstStep; step < firstStep + count; step++) yield return Plan(step);
    }
}
