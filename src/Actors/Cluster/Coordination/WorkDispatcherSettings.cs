using Akka.Actor;
using Veil.DataLoading.Batching;
using Veil.Ledger.Plan;

namespace Veil.Actors.Cluster.Coordination;

/// <summary>What the coordinator's work dispatcher needs: the run's identity, the sampler's plans and where sums go.</summary>
/// <param name="Plan">The run's frozen plan; the Hello carries it whole: every node's workers clip to its C, and a node whose data is not
/// the plan's dataset refuses.</param>
/// <param name="RunId">Named in the Hello, and in refusals.</param>
/// <param name="Model">The model every node must compute gradients of.</param>
/// <param name="MinWorkers">Worker nodes that must be ready before the first step (veil.cluster.min-workers).</param>
/// <param name="ChunkBytes">veil.cluster.chunk-bytes, for the parameter broadcasts and the slices sums go up in.</param>
/// <param name="PlanStep">The sampler: which examples are in step s, cut into micro-batches (the shards).</param>
/// <param name="Accumulator">The pipeline's accumulator; it counts every shard exactly once.</param>
/// <param name="Log">Where "waiting for workers" and reassignments are reported (the run's log).</param>
/// <param name="FanIn">Children per node of the reduction tree (veil.cluster.reduction-fan-in).</param>
public sealed record WorkDispatcherSettings(
    DpPlan Plan, string RunId, string Model, int MinWorkers, int ChunkBytes, Func<long, StepPlan> PlanStep, IActorRef Accumulator,
    TextWriter? Log = null,
    ulong AugmentationSeed = 0,
    int FanIn = ReductionTree.FanIn);
