using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// A convolution is a matrix product over input patches (<see cref="ConvPatches"/>): with P_i the patches of
/// example i, [L, kh·kw·C] (one row per output position; stride, padding and dilation are the layer's) and δ_i
/// of shape [L, O], ∇W_i = δ_iᵀ P_i (reordered to the weight's layout) and ∇b_i = Σ_positions δ_i. With G
/// groups, group g owns input channels [g·C/G, (g+1)·C/G) and output channels [g·O/G, (g+1)·O/G): each group
/// is its own product. The ghost norm is the Gram form Σ_{l,l'} (P_iP_iᵀ)_{ll'} (δ_iδ_iᵀ)_{ll'}, chosen when L²
/// is small against the kernel's size.
/// </summary>
public sealed class Conv2dRule : IPerExampleRule
{
    public string? Unsupported(nn.Module module)
    {
        var conv = (Conv2d)module;
        if (conv.padding_mode != PaddingModes.Zeros) return $"padding mode {conv.padding_mode} has no per-example rule; use zero padding";
        if (conv.padding is null) return "symbolic padding ('same'/'valid') has no per-example rule; give explicit padding";
        return null;
    }

    /// <summary>
    /// The fastest way this layer has to form per-example gradients without patches, or null for patches + batched GEMM.
    /// With <paramref name="productScale"/> [O], δ's output channels are scaled before the product (it is linear in δ).
    /// </summary>
    static Func<Tensor, Tensor, (Tensor, Tensor?)>? PerRow(Convolution conv, Tensor activations, Tensor backprops, Tensor? productScale)
    {
        Tensor Scaled(Tensor delta) => productScale is null ? delta : delta * productScale.reshape(1, -1, 1, 1);
        if (VectorisedConvGradients.Applies(conv, activations, backprops)) return (x, delta) => VectorisedConvGradients.Of(conv, x, Scaled(delta));
        if (GroupedConvGradients.Applies(conv, activations.shape[1])) return (x, delta) => (GroupedConvGradients.Of(conv, x, Scaled(delta)), null);
        return null;
    }

    public IPerExampleLayer Prepare(nn.Module module, Tensor activations, Tensor output, Tensor backprops, int multiplicity, NormStrategy strategy)
    {
        var conv = (Conv2d)module;
        return Layer(conv, activations, output, backprops, conv.bias, multiplicity, strategy);
    }

    /// <summary>
    /// The outer-product view of any 2-D convolution's geometry (also used by <see cref="StandardisedConv2dRule"/>). With
    /// <paramref name="productScale"/> [O], the per-example products (norms, materialised gradients) are those of δ with each
    /// output channel o scaled by productScale[o], while the true δ and the layer's weight and <paramref name="bias"/> still
    /// serve the autograd clipped sum (<see cref="OuterProductLayer.SumsKeptGradients"/> says which a sum was); a caller that
    /// scales must pass no bias (its gradient would be scaled too).
    /// </summary>
    internal static OuterProductLayer Layer(Convolution conv, Tensor activations, Tensor output, Tensor backprops, Parameter? bias,
        int multiplicity, NormStrategy strategy, Tensor? productScale = null)
    {
        long rows = backprops.shape[0], groups = conv.groups, channels = backprops.shape[1];
        long positions = backprops.shape[2] * backprops.shape[3];
        long inputs = activations.shape[1] / groups * conv.kernel_size[0] * conv.kernel_size[1];
        var products = productScale is null ? backprops : backprops * productScale.reshape(1, channels, 1, 1);
        var d = products.reshape(rows, groups, -1, positions).transpose(2, 3);                  // [R, G, L, O/G]
        return new OuterProductLayer(activations, x => ConvPatches.Of(conv, x), // [R, G, L, kh·kw·C/G]
            output, backprops, d, inputs, multiplicity, conv.weight!, "weight", bias, bias is null ? null : "bias", strategy,
            PerRow(conv, activations, backprops, productScale), g => ConvPatches.ToWeightOrder(conv, g));
    }
}
