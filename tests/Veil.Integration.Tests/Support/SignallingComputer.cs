using Veil.Actors.Pipeline;
using Veil.Actors.Training;
using Veil.Compute.Clipping;
using Veil.Compute.PerExample;
using Veil.DataLoading.Batching;

namespace Veil.Integration.Tests.Support;

/// <summary>
/// The real gradient computer, which says when it first computes at parameter version ≥ <paramref name="atVersion"/>
/// (the version is the step) and then, if given a gate, waits for it: a node stuck mid-step, to be killed. It clips to the
/// clip norm the node's agent gives it, the plan's.
/// </summary>
public sealed class SignallingComputer(long atVersion, ManualResetEventSlim reached, ManualResetEventSlim? gate, double clipNorm) : IGradientComputer
{
    private readonly IGradientComputer _inner = Real(clipNorm);

    public static IGradientComputer Real(double clipNorm) => new TorchGradientComputer("mlp", clipNorm, "cpu", ClippingMethod.Fast, UnsupportedModulePolicy.Refuse);

    public int ParameterCount => _inner.ParameterCount;

    public PartialGradient Compute(MicroBatchData work, ParameterSnapshot parameters)
    {
        if (parameters.Version >= atVersion)
        {
            reached.Set();
            gate?.Wait(TimeSpan.FromSeconds(30));
        }
        return _inner.Compute(work, parameters);
    }

    public void Dispose() => _inner.Dispose();
}
