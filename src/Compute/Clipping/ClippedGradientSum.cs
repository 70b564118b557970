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
///
/// Augmentation multiplicity K: the arrays then hold count·K rows, example-major (example i's K
/// augmentations contiguous, its label repeated K times); example i's gradient is the MEAN over its K
/// rows, and it is that mean which is clipped (one example, one contribution of norm ≤ C).
/// </summary>
public static class ClippedGradientSum
{
    public static ClippedBatch Compute(VeilModel model, float[] inputs, long[] labels, int count, double clipNorm, long? step = null,
        int multiplicity = 1, ClippingMethod method = ClippingMethod.Fast, UnsupportedModulePolicy unsupported = UnsupportedModulePolicy.Refuse,
        NormStrategy norms = NormStrategy.Auto)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(clipNorm > 0) || double.IsInfinity(clipNorm))
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "The clipping norm must be positive and finite.");
        if (multiplicity < 1) throw new ArgumentOutOfRangeException(nameof(multiplicity), multiplicity, "Augmentation multiplicity must be at least 1.");
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "Example count cannot be negative.");
        TorchRuntime.EnsureLoaded();
        if (count == 0)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            ArgumentNullException.ThrowIfNull(labels);
            return new ClippedBatch(new float[ParameterLayout.Of(model).TotalCount], 0, 0, Array.Empty<float>());
        }

        using var scope = NewDisposeScope();
        int rows = checked(count * multiplicity);
        var x = HostArrays.Inputs(model, inputs, rows);
        var y = HostArrays.Labels(model, labels, rows);
        var (sum, perExampleNorms, losses) = method switch
        {
            ClippingMethod.Fast => BookkeepingClipping.Compute(model, x, y, clipNorm, multiplicity, unsupported, norms, step),
            ClippingMethod.Materialised => Materialised(PerExampleGradients.Compute(model, x, y, multiplicity, unsupported), clipNorm, count, step),
            ClippingMethod.Naive => Naive(model, x, y, multiplicity, clipNorm, count, step),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown clipping method."),
        };
        return new ClippedBatch(sum.cpu().data<float>().ToArray(), count, LossSum(losses, step), perExampleNorms.cpu().data<float>().ToArray());
    }

    static (Tensor, Tensor, Tensor) Materialised(PerExampleBatch batch, double clipNorm, int count, long? step)
    {
        var norms = FlatClipping.Norms(batch.Gradients, count);
        CheckFinite(norms, step);
        return (FlatClipping.WeightedSum(batch.Gradients, FlatClipping.Factors(norms, clipNorm), count), norms, batch.Losses);
    }

    static (Tensor, Tensor, Tensor) Naive(VeilModel model, Tensor x, Tensor y, int multiplicity, double clipNorm, int count, long? step)
    {
        var rows = NaivePerExampleGradients.Compute(model, x, y, multiplicity);
        var norms = rows.square().sum(1L).sqrt();
        CheckFinite(norms, step);
        var factors = FlatClipping.Factors(norms, clipNorm);
        Tensor losses;
        using (no_grad())
        {
            var perRow = nn.functional.cross_entropy(model.call(x), y, reduction: nn.Reduction.None);
            losses = perRow.reshape(count, multiplicity).mean(new long[] { 1 });
        }
        return (factors.reshape(1, count).matmul(rows).reshape(-1), norms, losses);
    }

    static void CheckFinite(Tensor norms, long? step)
    {
        if (!norms.isfinite().all().item<bool>()) throw new NonFiniteGradientException("per-example gradient", step);
    }

    static double LossSum(Tensor losses, long? step)
    {
        double lossSum = losses.sum().to_type(ScalarType.Float64).item<double>();
        if (!double.IsFinite(lossSum)) throw new NonFiniteGradientException("loss", step);
        return lossSum;
    }
}
