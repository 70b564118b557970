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

    /// <summary>The fastest way this layer has to form per-example gradients without patches, or null for patches + batched GEMM.</summary>
    static Func<Tensor, Tensor, (Tensor, Tensor?)>? PerRow(Conv2d conv, Tensor activations, Tensor backprops)
    {
        if (VectorisedConvGradients.Applies(conv, activations, backprops)) return (x, delta) => VectorisedConvGradients.Of(conv, x, delta);
        if (GroupedConvGradients.Applies(conv, activations.shape[1])) return (x, delta) => (GroupedConvGradients.Of(conv, x, delta), null);
        return null;
    }

    public IPerExampleLayer Prepare(nn.Module module, Tensor activations, Tensor output, Tensor backprops, int multiplicity, NormStrategy strategy)
    {
        var conv = (Conv2d)module;
        long rows = backprops.shape[0], groups = conv.groups;
        long positions = backprops.shape[2] * backprops.shape[3];
        long inputs = activations.shape[1] / groups * conv.kernel_size[0] * conv.kernel_size[1];
        var d = backprops.reshape(rows, groups, -1, positions).transpose(2, 3);                 // [R, G, L, O/G]
        return new OuterProductLayer(activations, x => ConvPatches.Of(conv, x), // [R, G, L, kh·kw·C/G]
            output, backprops, d, inputs, multiplicity, conv.weight!, "weight", conv.bias, conv.bias is null ? null : "bias", strategy,
            PerRow(conv, activations, backprops),
            g => ConvPatches.ToWeightOrder(conv, g));
    }
}
