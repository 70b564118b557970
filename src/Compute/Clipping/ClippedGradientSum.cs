using TorchSharp;
using Veil.Compute.Models;
using Veil.Compute.Parameters;
using Veil.Compute.PerExample;
using Veil.Compute.Runtime;
using static TorchSharp.torch;

namespace Veil.Compute.Clipping;

/// <summary>
/// What a gradient worker computes for one micro-batch: per-example gradients, each clipped to norm C,
/// summed. Any micro-batch size works, including 0 (an empty Poisson sample still takes part in the
/// step and contributes a zero sum). No noise here: noise is added once per logical batch, after the sum.
/// </summary>
public static class ClippedGradientSum
{
    public static ClippedBatch Compute(VeilModel model, float[] inputs, long[] labels, int count, double clipNorm, long? step = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(clipNorm > 0) || double.IsInfinity(clipNorm))
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "The clipping norm must be positive and finite.");
        TorchRuntime.EnsureLoaded();
        if (count == 0)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            ArgumentNullException.ThrowIfNull(labels);
            return new ClippedBatch(new float[ParameterLayout.Of(model).TotalCount], 0, 0, Array.Empty<float>());
        }

        using var scope = NewDisposeScope();
        var x = HostArrays.Inputs(model, inputs, count);
        var y = HostArrays.Labels(model, labels, count);
        var batch = PerExampleGradients.Compute(model, x, y);

        double lossSum = batch.Losses.sum().to_type(ScalarType.Float64).item<double>();
        if (!double.IsFinite(lossSum)) throw new NonFiniteGradientException("loss", step);
        var norms = FlatClipping.Norms(batch.Gradients, count);
        if (!norms.isfinite().all().item<bool>()) throw new NonFiniteGradientException("per-example gradient", step);

        var sum = FlatClipping.WeightedSum(batch.Gradients, FlatClipping.Factors(norms, clipNorm), count);
        return new ClippedBatch(
            sum.cpu().data<float>().ToArray(),
            count,
            lossSum,
            norms.cpu().data<float>().ToArray());
    }
}
