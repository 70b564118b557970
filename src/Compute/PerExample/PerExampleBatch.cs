using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// Per-example gradients of one micro-batch, one tensor [B, ...shape] per trainable parameter in
/// <see cref="Parameters.ParameterLayout"/> order, plus each example's loss [B]. Tensors belong to the
/// caller's dispose scope and never leave Veil.Compute.
/// </summary>
public sealed record PerExampleBatch(IReadOnlyList<Tensor> Gradients, Tensor Losses)
{
    public long Examples => Losses.shape[0];

    /// <summary>All parameters' gradients side by side: [B, P].</summary>
    public Tensor Flat() => cat(Gradients.Select(g => g.reshape(Examples, -1)).ToArray(), 1);
}
