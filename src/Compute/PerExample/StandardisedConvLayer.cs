using TorchSharp;
using Veil.Compute.Models;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// One <see cref="StandardisedConv2d"/>'s per-example quantities for a micro-batch (the derivation is on
/// <see cref="StandardisedConv2dRule"/>): the convolution's outer-product layer over δ/s gives Σ_o ‖g_i[o]‖²/s_o² and the
/// scaled per-example gradients; the pull-back's corrections come from patch sums and the layer's output.
/// </summary>
public sealed class StandardisedConvLayer : IPerExampleLayer
{
    readonly StandardisedConv2d _conv;
    readonly OuterProductLayer _scaled;  // products of the patches with δ/s: gradients g/s, norms Σ_o ‖g[o]‖²/s_o²
    readonly Tensor _activations, _output, _delta;
    readonly int _multiplicity;
    readonly long _batch, _channels, _fanIn;
    readonly Tensor _inverseScale;       // 1/s [O]
    readonly Tensor _retained;           // r = ‖Ŵ[o]‖²/F = var/(var + ε) [O]

    public StandardisedConvLayer(StandardisedConv2d conv, Tensor activations, Tensor output, Tensor backprops, int multiplicity, NormStrategy strategy)
    {
        (_conv, _activations, _output, _delta, _multiplicity) = (conv, activations, output, backprops, multiplicity);
        _channels = backprops.shape[1];
        _batch = backprops.shape[0] / multiplicity;
        using (no_grad())
        {
            using var scope = NewDisposeScope(); // only the per-channel vectors outlive the weight-sized temporaries
            var (centred, rowVariance) = StandardisedConv2d.Rows(conv.weight!.detach());
            _fanIn = centred.shape[1];
            var variance = rowVariance.reshape(_channels);
            _inverseScale = (variance + StandardisedConv2d.Epsilon).rsqrt().MoveToOuterDisposeScope();
            _retained = (variance / (variance + StandardisedConv2d.Epsilon)).MoveToOuterDisposeScope();
        }
        _scaled = Conv2dRule.Layer(conv, activations, output, backprops, bias: null, multiplicity, strategy, _inverseScale.to_type(backprops.dtype));
    }

    public string Method => _scaled.Method;

    public Tensor SquaredNorms()
    {
        // u = 1ᵀg and w = Ŵᵀg per example and output channel, each a sum over the example's rows (its K augmentations).
        long rows = _delta.shape[0], groups = _conv.groups;
        var ones = torch.ones( // a kernel of ones per group
            new[] { groups, _conv.in_channels / groups, _conv.kernel_size[0], _conv.kernel_size[1] }, _activations.dtype, _activations.device);
        var patchSums = nn.functional.conv2d(_activations, ones, null, _conv.stride, _conv.padding, _conv.dilation, groups); // [R, G, Ho, Wo]
        var delta = _delta.reshape(rows, groups, _channels / groups, -1);
        var u = (delta * patchSums.reshape(rows, groups, 1, -1)).sum(-1L).reshape(rows, _channels);
        var standardOutput = _conv.bias is null ? _output.detach() : _output.detach() - _conv.bias.detach().reshape(1, _channels, 1, 1);
        var w = (_delta * standardOutput).reshape(rows, _channels, -1).sum(-1L);
        var correction = (PerExample(u).square() + (2 - _retained) * PerExample(w).square()) * (_inverseScale.square() / _fanIn);
        // A norm is ≥ 0; rounding in the subtraction must not make it negative.
        var weight = (_scaled.SquaredNorms() - correction.sum(1L)).clamp_min(0);
        return _conv.bias is null ? weight : weight + BiasGradients().square().sum(1L);
    }

    public IReadOnlyList<(string Name, Tensor Gradient)> Gradients()
    {
        var raw = PullBack(_scaled.Gradients()[0].Gradient.reshape(_batch, _channels, _fanIn)); // per example
        var result = new List<(string, Tensor)> { ("weight", raw.reshape(new[] { _batch }.Concat(_conv.weight!.shape).ToArray())) };
        if (_conv.bias is not null) result.Add(("bias", BiasGradients()));
        return result;
    }

    public IReadOnlyList<(string Name, Tensor Sum)> ClippedSum(Tensor factors)
    {
        // Linear in the examples, so pulled back once. Kept (scaled) per-example gradients: Σ c_i g_i/s by a GEMV, then P.
        // Otherwise the layer's own autograd node (convolution, then the standardisation) with δ_i → c_i·δ_i gives the raw sum.
        var weight = _scaled.ClippedSum(factors)[0].Sum;
        if (_scaled.SumsKeptGradients) weight = PullBack(weight.reshape(1, _channels, _fanIn)).reshape(_conv.weight!.shape);
        var named = new List<(string, Tensor)> { ("weight", weight) };
        if (_conv.bias is not null) named.Add(("bias", factors.reshape(1, _batch).to_type(_delta.dtype).matmul(BiasGradients()).reshape(-1)));
        return named;
    }

    /// <summary>Gradients with respect to Ŵ divided by s, [n, O, F] → the raw weight's: g' − mean(g') − Ŵ·mean(g'⊙Ŵ), row by row.</summary>
    Tensor PullBack(Tensor scaled)
    {
        var standardised = StandardisedConv2d.Standardise(_conv.weight!.detach()).reshape(_channels, _fanIn); // Ŵ as the forward pass used it
        return scaled - scaled.mean(new long[] { -1 }, keepdim: true) - standardised * (scaled * standardised).mean(new long[] { -1 }, keepdim: true);
    }

    /// <summary>Per-row values [B·K, ...] → per-example sums [B, ...].</summary>
    Tensor PerExample(Tensor perRow) => _multiplicity == 1 ? perRow
        : perRow.reshape(new[] { _batch, (long)_multiplicity }.Concat(perRow.shape.Skip(1)).ToArray()).sum(1L);

    Tensor BiasGradients() => PerExample(_delta.reshape(_delta.shape[0], _channels, -1).sum(-1L));
}
