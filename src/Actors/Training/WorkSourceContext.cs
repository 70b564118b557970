using Akka.Actor;
using Veil.DataLoading.Batching;
using Veil.Ledger.Plan;

namespace Veil.Actors.Training;

/// <summary>What a cluster work source learns of the run it serves: identity, the frozen plan, the sampler's step plans and the accumulator.</summary>
public sealed record WorkSourceContext(
    string RunId, DpPlan Plan, string Model, Func<long, StepPlan> PlanStep, IActorRef Accumulator, TextWriter Log,
    ulong AugmentationSeed = 0);
