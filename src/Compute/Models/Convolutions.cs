using TorchSharp;
using TorchSharp.Modules;

namespace Veil.Compute.Models;

/// <summary>The GroupNorm networks' convolutions, plain or weight-standardised
/// (<see cref="StandardisedConv2d"/>), bias-free (the norm's β plays that part).</summary>
public static class Convolutions
{
    public static Convolution Create(bool standardised, long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0) => standardised
        ? new StandardisedConv2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, bias: false)
        : torch.nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, bias: false);
}
