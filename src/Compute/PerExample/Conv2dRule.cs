using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// A convolution is a matrix product over unfolded input patches: with U_i = unfold(a_i) of shape
/// [C·kh·kw, L] (one column per output position) and δ_i of shape [O, L], ∇W_i = δ_i U_iᵀ (a batched
/// matmul over examples) and ∇b_i = Σ_positions δ_i. This is Opacus's conv rule.
/// </summary>
public sealed class Conv2dRule : IPerExampleRule
{
    public string? Unsupported(nn.Module module)
    {
        var conv = (Conv2d)module;
        if (conv.groups != 1) return $"grouped convolution (groups={conv.groups}) has no per-example rule yet; use groups=1";
        if (conv.padding_mode != PaddingModes.Zeros) return $"padding mode {conv.padding_mode} has no per-example rule; use zero padding";
        if (conv.padding is null) return "symbolic padding ('same'/'valid') has no per-example rule; give explicit padding";
        return null;
    }

    public IReadOnlyList<(string Name, Tensor Gradient)> Gradients(nn.Module module, Tensor activations, Tensor backprops)
    {
        var conv = (Conv2d)module;
        long batch = activations.shape[0];
        var patches = nn.functional.unfold(activations,
            (conv.kernel_size[0], conv.kernel_size[1]),
            dilation: (conv.dilation[0], conv.dilation[1]),
            padding: (conv.padding![0], conv.padding[1]),
            stride: (conv.stride[0], conv.stride[1]));                       // [B, C·kh·kw, L]
        var deltas = backprops.reshape(batch, conv.out_channels, -1);       // [B, O, L]
        var weight = bmm(deltas, patches.transpose(1, 2))                   // [B, O, C·kh·kw]
            .reshape(new[] { batch }.Concat(conv.weight!.shape).ToArray());
        var result = new List<(string, Tensor)> { ("weight", weight) };
        if (conv.bias is not null) result.Add(("bias", deltas.sum(2L)));
        return result;
    }
}
