using System.Collections.Concurrent;
using Veil.Actors.Pipeline;
using Veil.DataLoading.Batching;
using Veil.Ledger.Plan;

namespace Veil.Actors.Tests.Cluster;

/// <summary>Decodes a micro-batch into its dataset indices, as inputs and as labels.</summary>
public sealed class IndexDecoder : IMicroBatchDecoder
{
    public string Source => "indices";

    public MicroBatchData Decode(MicroBatchSpec spec) =>
        new(spec.Id.Step, spec.Id.Index, spec.Count, spec.Indices.Select(i => (float)i).ToArray(), spec.Indices.Select(i => (long)i).ToArray());
}

/// <summary>
/// A gradient of two coordinates: the sum of the example indices and the example count, so a reduced sum shows exactly which
/// examples it holds and how often; it logs each micro-batch it computes and can hold one until a gate opens.
/// </summary>
public sealed class IndexSumComputer(ConcurrentQueue<string> log, string node, ManualResetEventSlim? gate = null) : IGradientComputer
{
    public int ParameterCount => 2;

    public PartialGradient Compute(MicroBatchData work, ParameterSnapshot parameters)
    {
        gate?.Wait(TimeSpan.FromSeconds(30));
        log.Enqueue($"{node}:{string.Join(',', work.Labels)}");
        return new PartialGradient([(float)work.Labels.Sum(), work.Count], work.Count, 0, 0);
    }

    public void Dispose() { }

    public static DpPlan Plan(string fingerprint) => new(0.01, 1.0, 1.0, 10, 1e-5, fingerprint, 1000);
}
