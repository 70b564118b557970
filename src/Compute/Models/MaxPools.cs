using static TorchSharp.torch;

namespace Veil.Compute.Models;

/// <summary>
/// Max-pooling run in channels-last memory order. libtorch 0.107's CPU max-pool kernel for NCHW tensors costs
/// about 20 ns per output (tanh-cnn's 2×2 stride-1 pool over [256, 16, 13, 13]: 12.3 ms forward, 13.3 ms with its
/// backward, 43 % of the whole non-private step); on the same values laid out channels-last it vectorises over
/// channels (1.7 ms forward, 5.1 ms with backward, the layout copies included). Same values, same gradients
/// (the window's first maximum gets the gradient either way); only the memory order differs.
/// The result stays channels-last in memory (an NCHW-shaped view): the next convolution, activation and pool take
/// it as it is, and the gradient flowing back arrives channels-last too, so the pool's backward needs no layout
/// copies (tanh-cnn, B = 256, 1 thread: non-private step 28.6 → 16.1 ms, of which the backward 7.4 → 8.1 ms and
/// the forward 20.7 → 7.4 ms; returning NCHW-contiguous instead gave 20.9 ms, its backward 11.7 ms).
/// Used where it was measured to help: gn-cnn (stride-2 pools between GroupNorm blocks) got slower with it
/// (84 → 87 ms non-private at B = 256: the convolutions and GroupNorms after it then run on channels-last
/// tensors), and the ResNet ImageNet stem's pool is unmeasured, so both keep libtorch's NCHW pool.
/// </summary>
public static class MaxPools
{
    public static Tensor ChannelsLast(Tensor input, long kernel, long stride, long padding = 0)
    {
        var channelsLast = input.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        return nn.functional.max_pool2d(channelsLast, kernel, stride: stride, padding: padding);
    }
}
