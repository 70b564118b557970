using Veil.Actors.Telemetry;
using System.Diagnostics;
using Veil.DataLoading.Batching;
using Akka.Actor;

namespace Veil.Actors.Pipeline;

/// <summary>
/// Sums the clipped partial sums of a logical batch. It knows how many micro-batches each step has
/// (the sampler says so), counts each (step, index) exactly once, ignores duplicates (a batch redone
/// after a crash whose first result did arrive), and passes on the full sum once, to the noise actor.
/// The Expect of a step closes every earlier one still open: one node never has one (step s+1 is expected
/// only after step s's sum went on), a cluster node does when its coordinator moved on without it, and
/// then what that step holds is dropped and its late partials ignored.
/// </summary>
public sealed class AccumulatorActor : ReceiveActor
{
    public sealed record Expect(long Step, int MicroBatches, int ParameterCount, ActivityContext Trace = default);

    /// <summary>
    /// The clipped sum of one micro-batch, or (with <paramref name="Covers"/>) of several micro-batches of the
    /// same step summed on a cluster node. A partial is counted whole or not at all: if any micro-batch it
    /// covers is already in, it is a duplicate (sums cannot be taken apart), which keeps every one exactly once.
    /// </summary>
    public sealed record PartialSum(MicroBatchId Id, PartialGradient Partial, ActivityContext Trace = default, IReadOnlyList<int>? Covers = null)
    {
        public IReadOnlyList<int> Indices => Covers ?? [Id.Index];
    }

    /// <summary>The full clipped sum of one logical batch, with non-private diagnostics.</summary>
    public sealed record ClippedSum(
        long Step, float[] Sum, int Examples, double LossSum, int ClippedExamples, int DuplicatesIgnored, ActivityContext Trace = default);

    private sealed class StepState(int parameterCount)
    {
        public int Expected = -1;
        public readonly HashSet<int> Received = new();
        public float[] Sum = new float[parameterCount];
        public int Examples;
        public double LossSum;
        public int Clipped;
        public int Duplicates;
        public readonly List<PartialSum> Early = new();
        public ActivityContext Trace;
    }

    private readonly IActorRef _next;
    private readonly Dictionary<long, StepState> _steps = new();
    private long _lastCompleted = -1;

    public AccumulatorActor(IActorRef next)
    {
        _next = next;
        Receive<Expect>(OnExpect);
        Receive<PartialSum>(OnPartial);
    }

    public static Props Props(IActorRef next) => Akka.Actor.Props.Create(() => new AccumulatorActor(next));

    private void OnExpect(Expect m)
    {
        foreach (var abandoned in _steps.Keys.Where(step => step < m.Step).ToList()) _steps.Remove(abandoned);
        _lastCompleted = Math.Max(_lastCompleted, m.Step - 1);
        var state = StateFor(m.Step, m.ParameterCount);
        state.Expected = m.MicroBatches;
        state.Trace = m.Trace;
        if (state.Sum.Length != m.ParameterCount) state.Sum = new float[m.ParameterCount];
        var early = state.Early.ToArray();
        state.Early.Clear();
        foreach (var p in early) Add(state, p);
        CompleteIfDone(m.Step, state);
    }

    private void OnPartial(PartialSum m)
    {
        if (m.Id.Step <= _lastCompleted) return; // a late duplicate of a finished step
        var state = StateFor(m.Id.Step, m.Partial.ClippedSum.Length);
        if (state.Expected < 0)
        {
            state.Early.Add(m); // arrived before Expect: counted once Expect says how many to wait for
            return;
        }
        Add(state, m);
        CompleteIfDone(m.Id.Step, state);
    }

    private void Add(StepState state, PartialSum m)
    {
        var indices = m.Indices;
        foreach (var index in indices)
            if (index < 0 || index >= state.Expected)
                throw new InvalidOperationException($"{m.Id with { Index = index }} is outside the {state.Expected} micro-batches expected for that step");
        if (indices.Count == 0 || indices.Any(state.Received.Contains) || indices.Distinct().Count() != indices.Count)
        {
            state.Duplicates++;
            return;
        }
        foreach (var index in indices) state.Received.Add(index);
        using var span = VeilTelemetry.Traces.StartActivity("veil.accumulate", ActivityKind.Internal, state.Trace);
        span?.SetTag("veil.step", m.Id.Step).SetTag("veil.micro_batch", m.Id.Index);
        var clock = Stopwatch.StartNew();
        var sum = state.Sum;
        var part = m.Partial.ClippedSum;
        if (part.Length != sum.Length)
            throw new InvalidOperationException($"{m.Id} has {part.Length} gradient coordinates, expected {sum.Length}");
        for (var i = 0; i < sum.Length; i++) sum[i] += part[i];
        state.Examples += m.Partial.Examples;
        state.LossSum += m.Partial.LossSum;
        state.Clipped += m.Partial.ClippedExamples;
        VeilTelemetry.StageWorked("accumulator", clock.Elapsed);
    }

    private void CompleteIfDone(long step, StepState state)
    {
        if (state.Expected < 0 || state.Received.Count < state.Expected) return;
        _steps.Remove(step);
        _lastCompleted = Math.Max(_lastCompleted, step);
        _next.Tell(new ClippedSum(step, state.Sum, state.Examples, state.LossSum, state.Clipped, state.Duplicates, state.Trace));
    }

    private StepState StateFor(long step, int parameterCount)
    {
        if (!_steps.TryGetValue(step, out var state)) _steps[step] = state = new StepState(parameterCount);
        return state;
    }
}
