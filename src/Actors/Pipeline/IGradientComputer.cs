using Veil.DataLoading.Batching;
namespace Veil.Actors.Pipeline;

/// <summary>
/// One gradient worker's device: a model replica that turns a micro-batch into its clipped gradient
/// sum at given parameters. Called from a single actor, never concurrently.
/// </summary>
public interface IGradientComputer : IDisposable
{
    int ParameterCount { get; }

    PartialGradient Compute(MicroBatchData work, ParameterSnapshot parameters);
}
