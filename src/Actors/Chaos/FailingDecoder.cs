using Veil.DataLoading.Batching;

namespace Veil.Actors.Chaos;

/// <summary>Fails a decode with probability p, as a flaky disk or network filesystem would.</summary>
public sealed class FailingDecoder(IMicroBatchDecoder inner, double probability, long seed) : IMicroBatchDecoder
{
    private readonly Random _random = new(unchecked((int)seed));
    private readonly object _gate = new();

    public string Source => inner.Source;

    public MicroBatchData Decode(MicroBatchSpec spec)
    {
        bool fail;
        lock (_gate) fail = _random.NextDouble() < probability;
        if (fail)
        {
            ChaosLog.Injected($"decode failure of {spec.Id}");
            throw new IOException($"chaos: injected read error in {Source}");
        }
        return inner.Decode(spec);
    }
}
