using System.Collections.Concurrent;
using Veil.Actors.Pipeline;
using Veil.DataLoading.Batching;

namespace Veil.Actors.Tests.Pipeline;

/// <summary>
/// Deterministic stand-ins for the TorchSharp and SQLite parts, so the protocol can be checked exactly:
/// every example contributes 1.0 to every gradient coordinate, so a step's clipped sum is its example count.
/// </summary>
public sealed class PipelineLog
{
    private readonly ConcurrentQueue<string> _entries = new();
    public void Add(string entry) => _entries.Enqueue(entry);
    public IReadOnlyList<string> Entries => _entries.ToArray();
}

public sealed class FixedSteps(int[][][] microBatchesPerStep)
{
    public int Count => microBatchesPerStep.Length;

    public StepPlan Plan(long step) => new(step, microBatchesPerStep[step]
        .Select((indices, i) => new MicroBatchSpec(new MicroBatchId(step, i), indices)).ToArray());

    /// <summary>Every planned micro-batch "decoded" (inputs and labels are the dataset indices), in plan order.</summary>
    public PreloadedWorkFeed Feed() => new(Enumerable.Range(0, Count).SelectMany(step => Plan(step).MicroBatches).Select(spec =>
        new MicroBatchData(spec.Id.Step, spec.Id.Index, spec.Count, spec.Indices.Select(x => (float)x).ToArray(), spec.Indices.Select(x => (long)x).ToArray())));

    /// <summary>Steps of the given sizes, split into micro-batches of at most m examples.</summary>
    public static FixedSteps OfSizes(int microBatchSize, params int[] stepSizes) => new(stepSizes.Select(size =>
        Enumerable.Range(0, size).Chunk(microBatchSize).ToArray()).ToArray());
}

public sealed class OnesComputer(int parameterCount, PipelineLog log, Func<MicroBatchId, bool>? crashOn = null) : IGradientComputer
{
    public int ParameterCount => parameterCount;

    public PartialGradient Compute(MicroBatchData work, ParameterSnapshot parameters)
    {
        log.Add($"compute:{work.Id.Step}:{work.Id.Index}");
        if (crashOn?.Invoke(work.Id) == true) throw new InvalidOperationException($"injected crash on {work.Id}");
        return new PartialGradient(Enumerable.Repeat((float)work.Count, parameterCount).ToArray(), work.Count, 0.5 * work.Count, 0);
    }

    public void Dispose() { }
}

/// <summary>Adds a recognisable constant instead of random noise, and logs each draw.</summary>
public sealed class MarkerNoise(PipelineLog log, float marker = 1000f) : INoiseSource
{
    public void AddNoise(float[] clippedSum, long step)
    {
        log.Add($"noise:{step}");
        for (var i = 0; i < clippedSum.Length; i++) clippedSum[i] += marker;
    }
}

public sealed class LoggingRecorder(PipelineLog log, Func<long, ReleaseDecision?>? decide = null) : IReleaseRecorder
{
    private long _sequence;

    public ReleaseDecision Record(long step)
    {
        var decision = decide?.Invoke(step);
        if (decision is not null) return decision;
        log.Add($"ledger:{step}");
        return new ReleaseDecision.Recorded(++_sequence, 0.1 * (step + 1));
    }
}

/// <summary>θ ← θ − noisySum / L, logging the step and the sum it saw.</summary>
public sealed class LoggingUpdater(PipelineLog log, double expectedBatchSize) : IParameterUpdater
{
    public ConcurrentDictionary<long, float[]> Sums { get; } = new();

    public ParameterSnapshot Apply(ParameterSnapshot current, float[] noisySum, long step)
    {
        log.Add($"update:{step}");
        Sums[step] = (float[])noisySum.Clone();
        return new ParameterSnapshot(current.Version + 1, current.Values.Select((v, i) => (float)(v - noisySum[i] / expectedBatchSize)).ToArray());
    }
}
