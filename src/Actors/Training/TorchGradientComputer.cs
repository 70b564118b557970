using TorchSharp;
using Veil.Actors.Pipeline;
using Veil.Compute.Clipping;
using Veil.Compute.Models;
using Veil.Compute.Parameters;
using Veil.Compute.PerExample;
using Veil.Compute.Runtime;
using Veil.DataLoading.Batching;

namespace Veil.Actors.Training;

/// <summary>
/// A gradient worker's device: its own model replica, loaded with the step's parameters when their
/// version changes, computing the clipped per-example gradient sum of a micro-batch.
/// </summary>
public sealed class TorchGradientComputer : IGradientComputer
{
    private readonly VeilModel _model;
    private readonly double _clipNorm;
    private long _loadedVersion = -1;

    private readonly ClippingMethod _method;
    private readonly UnsupportedModulePolicy _unsupported;

    public TorchGradientComputer(string modelName, double clipNorm, string device,
        ClippingMethod method = ClippingMethod.Fast, UnsupportedModulePolicy unsupported = UnsupportedModulePolicy.Refuse, bool weightStandardisation = false)
        : this(
            ModelCatalog.Create(modelName, seed: 0, weightStandardisation: weightStandardisation), // weights are overwritten by each step's parameters
            clipNorm, device, method, unsupported)
    {
    }

    /// <param name="model">This worker's own replica (it takes ownership); its trainable
    /// weights are overwritten by each step's parameters, its frozen ones are kept.</param>
    public TorchGradientComputer(VeilModel model, double clipNorm, string device,
        ClippingMethod method = ClippingMethod.Fast, UnsupportedModulePolicy unsupported = UnsupportedModulePolicy.Refuse)
    {
        _method = method;
        _unsupported = unsupported;
        _model = model;
        _model.to(TorchRuntime.Device(device));
        _clipNorm = clipNorm;
        ParameterCount = (int)ParameterLayout.Of(_model).TotalCount;
    }

    public int ParameterCount { get; }

    public PartialGradient Compute(MicroBatchData work, ParameterSnapshot parameters)
    {
        if (parameters.Version != _loadedVersion)
        {
            ParameterVector.Load(_model, parameters.Values);
            _loadedVersion = parameters.Version;
        }
        ClippedBatch batch;
        try
        {
            // K augmentations of an example are averaged before clipping: one example, one clipped contribution; in a user-level
            // step a user's examples are averaged too, and the norms are then each example's user's (the clipped count counts examples).
            batch = ClippedGradientSum.Compute(_model, work.Inputs, work.Labels, work.Count, _clipNorm, work.Step,
                multiplicity: work.Multiplicity, method: _method, unsupported: _unsupported, owners: work.Owners);
        }
        catch (Veil.Compute.Clipping.NonFiniteGradientException e)
        {
            throw new RunMustStopException(
                $"{e.Message} (micro-batch {work.Index} of step {work.Step}); lower veil.optimizer.learning-rate or check the data", e);
        }
        var clipped = batch.PerExampleNorms.Count(n => n > _clipNorm);
        return new PartialGradient(batch.Sum, batch.Examples, batch.LossSum, clipped, batch.PerExampleNorms);
    }

    public void Dispose() => _model.Dispose();
}
