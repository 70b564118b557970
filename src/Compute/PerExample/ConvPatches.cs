using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// The input patches a convolution multiplies its kernel with, laid out as <c>unfold</c> lays them out:
/// [rows, C·kh·kw, L], channel-major rows, one column per output position. Built as a strided view of the
/// zero-padded input copied once, which on the CPU is several times faster than libtorch's unfold (an
/// element-by-element im2col): for ResNet-18's first stage at B = 64 the patches are 151 MB, so the copy is
/// a visible share of the step.
/// </summary>
public static class ConvPatches
{
    public static Tensor Of(Conv2d conv, Tensor input)
    {
        long rows = input.shape[0], channels = input.shape[1];
        long kh = conv.kernel_size[0], kw = conv.kernel_size[1];
        long sh = conv.stride[0], sw = conv.stride[1], dh = conv.dilation[0], dw = conv.dilation[1];
        long ph = conv.padding![0], pw = conv.padding[1];
        var padded = ph == 0 && pw == 0 ? input.contiguous() : nn.functional.pad(input, new[] { pw, pw, ph, ph });
        long height = padded.shape[2], width = padded.shape[3];
        long outHeight = (height - dh * (kh - 1) - 1) / sh + 1, outWidth = (width - dw * (kw - 1) - 1) / sw + 1;
        var view = padded.as_strided(
            new[] { rows, channels, kh, kw, outHeight, outWidth },
            new[] { channels * height * width, height * width, dh * width, dw, sh * width, sw },
            padded.storage_offset());
        return view.reshape(rows, channels * kh * kw, outHeight * outWidth);
    }
}
