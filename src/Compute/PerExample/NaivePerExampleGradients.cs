using TorchSharp;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// The reference: autograd run on one example at a time, B backward passes. Slow and obviously right;
/// every per-example rule is tested against it. Not for training.
/// </summary>
public static class NaivePerExampleGradients
{
    /// <summary>
    /// [B, P] in <see cref="Parameters.ParameterLayout"/> order. With multiplicity K the inputs hold B·K rows,
    /// example-major, and example i's gradient is the mean over its K rows. Call inside a dispose scope.
    /// </summary>
    public static Tensor Compute(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor labels, int multiplicity = 1)
    {
        var parameters = model.parameters().Where(p => p.requires_grad).Cast<Tensor>().ToList();
        long batch = inputs.shape[0] / multiplicity;
        var rows = new Tensor[batch];
        for (long i = 0; i < batch; i++)
        {
            // One scope per example: a forward pass's temporaries (weight-sized ones for a weight-standardised model) die with it.
            using var scope = NewDisposeScope();
            var slice = TensorIndex.Slice(i * multiplicity, (i + 1) * multiplicity);
            var logits = model.call(inputs[slice]);
            var loss = nn.functional.cross_entropy(logits, labels[slice], reduction: nn.Reduction.Sum) / multiplicity;
            var grads = autograd.grad(new[] { loss }, parameters);
            rows[i] = cat(grads.Select(g => g.reshape(-1)).ToArray(), 0).MoveToOuterDisposeScope();
        }
        return stack(rows, 0);
    }
}
