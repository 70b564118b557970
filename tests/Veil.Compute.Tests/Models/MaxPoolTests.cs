using Veil.Compute.Models;
using Veil.Compute.Runtime;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.Models;

public sealed class MaxPoolTests
{
    public MaxPoolTests() => TorchRuntime.EnsureLoaded();

    [Theory]
    [InlineData(2, 1, 0, 13)] // tanh-cnn
    [InlineData(2, 2, 0, 14)] // a stride-2 pool
    [InlineData(3, 2, 1, 15)] // with padding, as the ResNet ImageNet stem pools
    public void The_channels_last_pool_gives_the_same_values_and_gradients_as_libtorchs_pool(long kernel, long stride, long padding, long size)
    {
        using var scope = NewDisposeScope();
        var g = manual_seed(7);
        // Values on a coarse grid, so that windows hold ties: both kernels must send the gradient to the same element.
        var x = (randint(0, 5, new[] { 3L, 4, size, size }, generator: g).to_type(ScalarType.Float32) / 4).requires_grad_(true);
        var upstream = randn(nn.functional.max_pool2d(x, kernel, stride: stride, padding: padding).shape, generator: g);

        var expected = nn.functional.max_pool2d(x, kernel, stride: stride, padding: padding);
        var actual = MaxPools.ChannelsLast(x, kernel, stride, padding);
        Assert.True(expected.eq(actual).all().item<bool>(), "pooled values differ");
        Assert.True(actual.permute(0, 2, 3, 1).is_contiguous(), "the result should stay channels-last in memory, for the next layer");

        var expectedGradient = autograd.grad(new[] { expected }, new[] { x }, new[] { upstream })[0];
        var actualGradient = autograd.grad(new[] { actual }, new[] { x }, new[] { upstream })[0];
        Assert.True(expectedGradient.eq(actualGradient).all().item<bool>(), "gradients differ");
    }
}
