using Veil.Actors.Pipeline;
using Veil.DataLoading.Batching;

namespace Veil.Actors.Chaos;

/// <summary>Crashes on every n-th micro-batch: the supervisor must restart the worker and the batch be redone once.</summary>
public sealed class CrashingGradientComputer(IGradientComputer inner, int every) : IGradientComputer
{
    private long _calls;

    public int ParameterCount => inner.ParameterCount;

    public PartialGradient Compute(MicroBatchData work, ParameterSnapshot parameters)
    {
        if (++_calls % every == 0)
        {
            ChaosLog.Injected($"worker crash on step {work.Step} micro-batch {work.Index}");
            throw new ChaosInjectedException($"worker crash on step {work.Step} micro-batch {work.Index}");
        }
        return inner.Compute(work, parameters);
    }

    public void Dispose() => inner.Dispose();
}
