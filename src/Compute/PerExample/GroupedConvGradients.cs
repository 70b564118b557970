using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// Per-example weight gradients of a convolution with one input channel per group, as one grouped
/// convolution with the batch folded into the groups (Rochette et al. 2019): a weight gradient is itself
/// a correlation of the padded input with the output gradient, stride and dilation swapped,
/// ∇W_i[o, 0, u, v] = Σ_{y,x} δ_i[o, y, x] · a_i[s·y + d·u, s·x + d·v]. With a single input channel this
/// needs no patches and beats patches + bmm (tanh-cnn's conv1); with more channels oneDNN's grouped kernel
/// loses to patches + bmm by a wide margin on ResNet layers, so it is used only here.
/// </summary>
public static class GroupedConvGradients
{
    public static bool Applies(Convolution conv, long inputChannels) => conv.groups == 1 && inputChannels == 1;

    /// <summary>[R, 1, H, W] input rows and their δ [R, O, Ho, Wo] → per-row gradients [R, 1, O, kh·kw].</summary>
    public static Tensor Of(Convolution conv, Tensor input, Tensor delta)
    {
        long rows = delta.shape[0], outputs = delta.shape[1], kh = conv.kernel_size[0], kw = conv.kernel_size[1];
        var kernels = delta.reshape(rows * outputs, 1, delta.shape[2], delta.shape[3]);
        var correlated = nn.functional.conv2d(input.transpose(0, 1), kernels, null,
            strides: new[] { conv.dilation[0], conv.dilation[1] },
            padding: new[] { conv.padding![0], conv.padding[1] },
            dilation: new[] { conv.stride[0], conv.stride[1] },
            groups: rows);                                                    // [1, R·O, ≥kh, ≥kw]
        return correlated.narrow(2, 0, kh).narrow(3, 0, kw).reshape(rows, 1, outputs, kh * kw);
    }
}
