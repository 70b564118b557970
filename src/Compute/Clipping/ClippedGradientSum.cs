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
///
/// User level (<c>owners</c> given: each example's user within the micro-batch): a user's contribution is the MEAN of their
/// examples' gradients, and it is that mean which is clipped to C, so a user with one example and a user with fifty contribute
/// the same bounded amount. The sum is Σ_u c_u·mean_u = Σ_i (c_u(i)/n_u(i))·g_i, which needs per-example gradients to find
/// ‖mean_u‖ (a ghost norm would need every cross term g_i·g_j within a user): user level forms them (the materialised path, or
/// the naive loop with <see cref="ClippingMethod.Naive"/>), whatever <c>method</c> says otherwise.
/// </summary>
public static class ClippedGradientSum
{
    public static ClippedBatch Compute(VeilModel model, float[] inputs, long[] labels, int count, double clipNorm, long? step = null,
        int multiplicity = 1, ClippingMethod method = ClippingMethod.Fast, UnsupportedModulePolicy unsupported = UnsupportedModulePolicy.Refuse,
        NormStrategy norms = NormStrategy.Auto, int[]? owners = null)
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
        if (owners is not null)
        {
            if (owners.Length != count) throw new ArgumentException($"one owner per example: {owners.Length} owners for {count} examples", nameof(owners));
            var (userSum, ownerNorms, userLosses) = PerUser(model, x, y, multiplicity, owners, clipNorm, count, step, method, unsupported);
            return new ClippedBatch(userSum.cpu().data<float>().ToArray(), count, LossSum(userLosses, step), ownerNorms.cpu().data<float>().ToArray());
        }
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

    /// <summary>(Σ_u c_u·mean_u, each example's OWNER's contribution norm before clipping [count], per-example losses).</summary>
    static (Tensor, Tensor, Tensor) PerUser(VeilModel model, Tensor x, Tensor y, int multiplicity, int[] owners, double clipNorm, int count, long? step,
        ClippingMethod method, UnsupportedModulePolicy unsupported)
    {
        IReadOnlyList<Tensor> gradients;
        Tensor losses;
        if (method == ClippingMethod.Naive)
        {
            gradients = [NaivePerExampleGradients.Compute(model, x, y, multiplicity)];
            using (no_grad())
                losses = nn.functional.cross_entropy(model.call(x), y, reduction: nn.Reduction.None).reshape(count, multiplicity).mean(new long[] { 1 });
        }
        else
        {
            var batch = PerExampleGradients.Compute(model, x, y, multiplicity, unsupported);
            (gradients, losses) = (batch.Gradients, batch.Losses);
        }
        // Users renumbered 0…U−1 in order of appearance: a user whose examples were all skipped as damaged leaves no gap.
        var number = new Dictionary<int, int>();
        var user = owners.Select(o => number.TryGetValue(o, out var u) ? u : number[o] = number.Count).ToArray();
        var users = number.Count;
        var sizes = new int[users];
        foreach (var u in user) sizes[u]++;
        var mean = new float[users * count];
        for (var i = 0; i < count; i++) mean[user[i] * count + i] = 1f / sizes[user[i]];
        var averaging = tensor(mean, new long[] { users, count }, device: gradients[0].device);
        Tensor? squares = null;
        foreach (var g in gradients)
        {
            var s = averaging.matmul(g.reshape(count, -1)).square().sum(1L);
            squares = squares is null ? s : squares.add_(s);
        }
        var userNorms = squares!.sqrt();
        CheckFinite(userNorms, step);
        var weights = averaging.t().matmul(FlatClipping.Factors(userNorms, clipNorm));
        var ownerNorms = userNorms.index_select(0, tensor(user.Select(u => (long)u).ToArray(), device: userNorms.device));
        return (FlatClipping.WeightedSum(gradients, weights, count), ownerNorms, losses);
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
