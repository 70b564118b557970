using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// A convolution is a matrix product over unfolded input patches (<see cref="ConvPatches"/>): with U_i = unfold(a_i) of shape
/// [C·kh·kw, L] (one column per output position; stride, padding and dilation are unfold's) and δ_i
/// of shape [O, L], ∇W_i = δ_i U_iᵀ and ∇b_i = Σ_positions δ_i. With G groups, unfold's rows are
/// channel-major, so group g owns rows [g·C/G·kh·kw, (g+1)·C/G·kh·kw) and output channels
/// [g·O/G, (g+1)·O/G): each group is its own product. The ghost norm is the Gram form
/// Σ_{l,l'} (U_iᵀU_i)_{ll'} (δ_iᵀδ_i)_{ll'}, chosen when L² is small against the kernel's size.
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

    public IPerExampleLayer Prepare(nn.Module module, Tensor activations, Tensor output, Tensor backprops, int multiplicity, NormStrategy strategy)
    {
        var conv = (Conv2d)module;
        long rows = backprops.shape[0], groups = conv.groups;
        long positions = backprops.shape[2] * backprops.shape[3];
        long inputs = activations.shape[1] / groups * conv.kernel_size[0] * conv.kernel_size[1];
        var d = backprops.reshape(rows, groups, -1, positions).transpose(2, 3);                 // [R, G, L, O/G]
        return new OuterProductLayer(activations,
            x => ConvPatches.Of(conv, x).view(x.shape[0], groups, inputs, positions).transpose(2, 3), // [R, G, L, C/G·kh·kw]
            output, backprops, d, inputs, multiplicity, conv.weight!, "weight", conv.bias, conv.bias is null ? null : "bias", strategy,
            GroupedConvGradients.Applies(conv, activations.shape[1]) ? (x, delta) => GroupedConvGradients.Of(conv, x, delta) : null);
    }
}
