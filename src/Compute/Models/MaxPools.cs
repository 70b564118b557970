using static TorchSharp.torch;

namespace Veil.Compute.Models;

/// <summary>
/// Max-pooling run in channels-last memory order. libtorch 0.107's CPU max-pool kernel for NCHW tensors is slow
/// (tanh-cnn's 2×2 stride-1 pool was a large part of its whole non-private step); on the same values laid out
/// channels-last it vectorises over channels, layout copies included (figures: docs/benchmarks.md). Same values, same gradients
/// (the window's first maximum gets the gradient either way); only the memory order differs.
/// The result stays channels-last in memory (an NCHW-shaped view): the next convolution, activation and pool take
/// it as it is, and the gradient flowing back arrives channels-last too, so the pool's backward needs no layout
/// copies (returning an NCHW-contiguous tensor instead makes the backward slower).
/// Used where it was measured to help: gn-cnn (stride-2 pools between GroupNorm blocks) got slower with it
/// (the convolutions and GroupNorms after it then run on channels-last tensors), and the ResNet ImageNet stem's
/// pool is unmeasured, so both keep libtorch's NCHW pool.
/// </summary>
public static class MaxPools
{
    public static Tensor ChannelsLast(Tensor input, long kernel, long stride, long padding = 0)
    {
        var channelsLast = input.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        return nn.functional.max_pool2d(channelsLast, kernel, stride: stride, padding: padding);
    }
}
