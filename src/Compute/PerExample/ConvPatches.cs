using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// The input patches a convolution multiplies its kernel with, one row per output position, laid out
/// channels-last: [rows, G, L, kh·kw·C/G], a patch's values in (kernel row, kernel column, channel) order.
/// The input is copied once into a zero-padded channels-last buffer, then the patches are one copy of a
/// strided view of it. Channels-last matters on the CPU: a patch row then holds runs of kw·C/G contiguous
/// floats (kw·C for a stride-1 kernel row), where the channel-major (unfold) order has runs of one float at
/// stride 2, so the copy is several times faster, for any stride, and the result is already the contiguous
/// [L, in] matrix a batched GEMM wants.
///
/// Because the weight is stored (O, C/G, kh, kw), a product DᵀA over these patches comes out in
/// (O, kh, kw, C/G) order: <see cref="ToWeightOrder"/> puts it back. Norms do not care about the order.
/// </summary>
public static class ConvPatches
{
    public static Tensor Of(Convolution conv, Tensor input)
    {
        long rows = input.shape[0], channels = input.shape[1], groups = conv.groups, perGroup = channels / groups;
        long kh = conv.kernel_size[0], kw = conv.kernel_size[1];
        long sh = conv.stride[0], sw = conv.stride[1], dh = conv.dilation[0], dw = conv.dilation[1];
        var padded = PaddedChannelsLast(conv, input);
        long height = padded.shape[1], width = padded.shape[2];
        long outHeight = (height - dh * (kh - 1) - 1) / sh + 1, outWidth = (width - dw * (kw - 1) - 1) / sw + 1;
        var view = padded.as_strided(
            new[] { rows, groups, outHeight, outWidth, kh, kw, perGroup },
            new[] { height * width * channels, perGroup, sh * width * channels, sw * channels, dh * width * channels, dw * channels, 1 },
            padded.storage_offset());
        return view.reshape(rows, groups, outHeight * outWidth, kh * kw * perGroup);
    }

    /// <summary>[R, C, H, W] → the zero-padded input [R, H + 2·ph, W + 2·pw, C],
    /// channels-last in memory (a view when it already is and there is no padding).</summary>
    public static Tensor PaddedChannelsLast(Convolution conv, Tensor input)
    {
        long ph = conv.padding![0], pw = conv.padding[1];
        var channelsLast = input.permute(0, 2, 3, 1);
        if (ph == 0 && pw == 0 && channelsLast.is_contiguous()) return channelsLast;
        var padded = zeros(new[] { input.shape[0], input.shape[2] + 2 * ph, input.shape[3] + 2 * pw, input.shape[1] }, input.dtype, input.device);
        padded.narrow(1, ph, input.shape[2]).narrow(2, pw, input.shape[3]).copy_(channelsLast);
        return padded;
    }

    /// <summary>Per-example gradients [n, G, O/G, kh·kw·C/G] in patch order → [n, G, O/G, C/G·kh·kw], the weight's order.</summary>
    public static Tensor ToWeightOrder(Convolution conv, Tensor gradients)
    {
        long kh = conv.kernel_size[0], kw = conv.kernel_size[1];
        long perGroup = gradients.shape[3] / (kh * kw);
        if (perGroup == 1 || kh * kw == 1) return gradients;
        long n = gradients.shape[0], groups = gradients.shape[1], outputs = gradients.shape[2];
        return gradients.reshape(n, groups, outputs, kh * kw, perGroup).transpose(3, 4).reshape(n, groups, outputs, -1);
    }
}
