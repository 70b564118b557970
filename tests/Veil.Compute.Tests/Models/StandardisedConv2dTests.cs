using TorchSharp;
using Veil.Compute.Models;
using Veil.Compute.Runtime;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.Models;

public sealed class StandardisedConv2dTests
{
    public StandardisedConv2dTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void Each_output_channel_of_the_standardised_weight_has_mean_zero_and_variance_one_less_epsilon()
    {
        using var conv = new StandardisedConv2d(6, 4, 3, groups: 2);
        conv.to(ScalarType.Float64);
        using var scope = NewDisposeScope();
        using (no_grad())
            conv.weight!.mul_(linspace(0.01, 3, 4, dtype: ScalarType.Float64).reshape(4, 1, 1, 1)).add_(0.7); // rows of very different scale and offset
        var raw = conv.weight!.detach().reshape(4, -1);
        var rows = conv.StandardisedWeight().detach().reshape(4, -1);
        Assert.Equal(new long[] { 4, 3 * 3 * 3 }, rows.shape);  // fan-in per output channel: C/G·kh·kw
        var variance = (raw - raw.mean(new long[] { 1 }, keepdim: true)).square().mean(new long[] { 1 });
        var expected = variance / (variance + StandardisedConv2d.Epsilon); // biased variance, ε inside the root
        Assert.True(rows.mean(new long[] { 1 }).abs().max().item<double>() < 1e-12);
        Assert.True((rows.square().mean(new long[] { 1 }) - expected).abs().max().item<double>() < 1e-12);
        Assert.True(expected.min().item<double>() < 1 - 1e-4, "the smallest row's ε is visible: the test sees ε, not only the normalisation");
    }

    [Fact]
    public void The_forward_pass_is_a_convolution_with_the_standardised_weight()
    {
        using var conv = new StandardisedConv2d(4, 6, 3, stride: 2, padding: 1, dilation: 2, groups: 2);
        conv.to(ScalarType.Float64);
        using var scope = NewDisposeScope();
        var x = randn(new long[] { 2, 4, 9, 9 }, dtype: ScalarType.Float64, generator: manual_seed(1));
        var expected = nn.functional.conv2d(x, StandardisedConv2d.Standardise(conv.weight!.detach()), conv.bias!.detach(),
            new long[] { 2, 2 }, new long[] { 1, 1 }, new long[] { 2, 2 }, 2);
        var actual = conv.call(x).detach();
        Assert.Equal(expected.shape, actual.shape);
        Assert.True((expected - actual).abs().max().item<double>() < 1e-12);
        var scaledUp = nn.functional.conv2d(x, StandardisedConv2d.Standardise(conv.weight!.detach() * 5 + 2), conv.bias!.detach(),
            new long[] { 2, 2 }, new long[] { 1, 1 }, new long[] { 2, 2 }, 2);
        // Only ε (1e-5 against row variances of ~1e-2 here) tells the two apart: relative differences of ~1e-3, where a plain
        // convolution's output would change five-fold.
        double outputScale = actual.abs().max().item<double>();
        Assert.True((scaledUp - actual).abs().max().item<double>() < 1e-2 * outputScale, "a row's scale and offset do not change the output (up to ε)");
    }
}
