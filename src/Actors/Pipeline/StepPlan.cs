namespace Veil.Actors.Pipeline;

/// <summary>The Poisson sample of one step, already split into micro-batches of dataset indices. May be empty.</summary>
public sealed record StepPlan(long Step, IReadOnlyList<int[]> MicroBatches)
{
    public int Examples => MicroBatches.Sum(m => m.Length);
}
