using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.Models;

/// <summary>
/// A 2-D convolution with weight standardisation (Qiao et al. 2019; with GroupNorm in BiT and the DP ImageNet
/// work): it owns a raw weight W [O, C/G, kh, kw] (and an optional bias) and convolves with
/// Ŵ[o] = (W[o] − mean(W[o])) / sqrt(var(W[o]) + ε), the mean and the biased variance taken over each output
/// channel's fan-in C/G·kh·kw. Stride, padding, dilation and groups mean what they mean for Conv2d.
/// The parameters are the raw W (named "weight", so layouts, checkpoints and saved weights look like a Conv2d's);
/// Ŵ is recomputed in every forward pass, so gradients reach W through the standardisation.
/// Derives from TorchSharp's Convolution (Conv2d is sealed) so that the per-example convolution machinery,
/// which reads only the geometry, serves both.
/// </summary>
public sealed class StandardisedConv2d : Convolution
{
    /// <summary>ε of the standardisation (1e-5, as in BiT's and the DP ImageNet papers' code): keeps a constant row finite.</summary>
    public const double Epsilon = 1e-5;

    public StandardisedConv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1,
        long groups = 1, bool bias = true)
        : base(nameof(StandardisedConv2d), inChannels, outChannels, new[] { kernelSize, kernelSize }, new[] { stride, stride },
            new[] { padding, padding }, null, new[] { dilation, dilation }, false, new[] { 0L, 0L }, groups, bias, PaddingModes.Zeros, null, null)
    {
    }

    /// <summary>Ŵ for the current raw weight, with the autograd graph back to it.</summary>
    public Tensor StandardisedWeight() => Standardise(weight!);

    /// <summary>Ŵ of any raw weight [O, ...]: per output row, zero mean and (biased) variance var/(var + ε).</summary>
    public static Tensor Standardise(Tensor raw)
    {
        var (centred, variance) = Rows(raw);
        return (centred / (variance + Epsilon).sqrt()).reshape(raw.shape);
    }

    /// <summary>Each output row of a raw weight [O, ...], centred [O, F], and its biased variance [O, 1].</summary>
    public static (Tensor Centred, Tensor Variance) Rows(Tensor raw)
    {
        var rows = raw.reshape(raw.shape[0], -1);
        var centred = rows - rows.mean(new long[] { 1 }, keepdim: true);
        return (centred, centred.square().mean(new long[] { 1 }, keepdim: true));
    }

    public override Tensor forward(Tensor input) =>
        nn.functional.conv2d(input, StandardisedWeight(), bias, stride, padding, dilation, groups);
}
