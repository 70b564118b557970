using Akka.Actor;
using Veil.DataLoading.Batching;

namespace Veil.Actors.Training;

/// <summary>What a cluster work source learns of the run it serves: identity, the sampler's plans and the accumulator.</summary>
public sealed record WorkSourceContext(
    string RunId, string Fingerprint, string Model, double ClipNorm, Func<long, StepPlan> PlanStep, IActorRef Accumulator, TextWriter Log,
    ulong AugmentationSeed = 0);
