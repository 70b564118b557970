using System.Numerics;
using Veil.Compute.Scattering;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.Scattering;

public class ScatteringTransformTests
{
    private static double[] RandomImage(int seed, int size)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, size * size).Select(_ => random.NextDouble()).ToArray();
    }

    private static double[] FftScattering(double[] image, int size, int scales, int angles, ScalarType dtype)
    {
        using var transform = new ScatteringTransform(size, scales, angles, dtype);
        using var scope = NewDisposeScope();
        var x = tensor(image, [1, size, size], ScalarType.Float64);
        return transform.Forward(x).to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        int worst = 0;
        for (int i = 1; i < expected.Length; i++)
            if (Math.Abs(expected[i] - actual[i]) > Math.Abs(expected[worst] - actual[worst])) worst = i;
        Assert.True(Math.Abs(expected[worst] - actual[worst]) <= tolerance,
            $"coefficient {worst}: reference {expected[worst]:R}, FFT {actual[worst]:R} (tolerance {tolerance})");
    }

    [Theory]
    [InlineData(8, 2, 4, 1)]
    [InlineData(12, 2, 8, 2)]
    [InlineData(16, 3, 4, 3)]
    public void FFT_scattering_equals_direct_spatial_convolution_in_double_precision(int size, int scales, int angles, int seed)
    {
        var image = RandomImage(seed, size);
        var reference = SpatialScatteringReference.Apply(image, size, scales, angles);
        Assert.Equal(ScatteringTransform.ChannelCount(scales, angles) * (size >> scales) * (size >> scales), reference.Length);
        AssertClose(reference, FftScattering(image, size, scales, angles, ScalarType.Float64), 1e-10);
    }

    [Fact]
    public void Single_precision_scattering_of_a_Fashion_MNIST_sized_image_is_within_1e_5_of_the_reference()
    {
        var image = RandomImage(7, 28);
        var reference = SpatialScatteringReference.Apply(image, 28, 2, 8);
        AssertClose(reference, FftScattering(image, 28, 2, 8, ScalarType.Float32), 1e-5);
    }

    [Fact]
    public void A_28_by_28_image_at_J_2_L_8_gives_81_channels_of_7_by_7()
    {
        using var transform = new ScatteringTransform(28, 2, 8);
        Assert.Equal(81, transform.Channels);
        Assert.Equal(7, transform.OutputSize);
        Assert.Equal(81 * 49, transform.Dimension);
        using var scope = NewDisposeScope();
        Assert.Equal(new long[] { 3, 81, 7, 7 }, transform.Forward(rand(3, 28, 28)).shape);
    }

    [Fact]
    public void Batched_application_equals_one_image_at_a_time()
    {
        using var transform = new ScatteringTransform(28, 2, 8);
        var random = new Random(5);
        var images = Enumerable.Range(0, 5 * 784).Select(_ => (float)random.NextDouble()).ToArray();
        var batched = transform.Apply(images, 5, batchSize: 2);
        for (int i = 0; i < 5; i++)
        {
            var single = transform.Apply(images[(i * 784)..((i + 1) * 784)], 1);
            var slice = batched[(i * transform.Dimension)..((i + 1) * transform.Dimension)];
            AssertClose(single.Select(v => (double)v).ToArray(), slice.Select(v => (double)v).ToArray(), 1e-6);
        }
    }

    [Fact]
    public void Band_pass_filters_have_zero_mean_and_the_low_pass_has_unit_mass()
    {
        var bank = new MorletFilterBank(32, 2, 8);
        foreach (var psi in bank.BandPass)
            Assert.True(Complex.Abs(psi.Aggregate(Complex.Zero, (a, b) => a + b)) < 1e-12);
        // The periodised Gaussian of σ = 1.6 sums to 1 up to its discretisation error.
        Assert.Equal(1.0, bank.LowPass.Aggregate(Complex.Zero, (a, b) => a + b).Real, 3);
        Assert.All(bank.LowPass, v => Assert.Equal(0.0, v.Imaginary, 12));
    }

    [Fact]
    public void A_constant_image_has_no_band_pass_energy_inside_the_padding()
    {
        // Only S0 sees the constant; first- and second-order channels see the padding's edge alone, far from the centre.
        using var transform = new ScatteringTransform(28, 2, 8, ScalarType.Float64);
        using var scope = NewDisposeScope();
        var s = transform.Forward(ones(1, 28, 28, dtype: ScalarType.Float64));
        Assert.Equal(1.0, s[0, 0, 3, 3].item<double>(), 3);
        Assert.True(s[0, 1.., 3, 3].abs().max().item<double>() < 1e-3);
    }

    [Fact]
    public void Group_norm_standardises_each_group_of_each_example_by_itself()
    {
        var random = new Random(3);
        var features = Enumerable.Range(0, 2 * 6 * 4).Select(_ => (float)(random.NextDouble() * 10 + 3)).ToArray();
        var second = features[24..].ToArray();
        ScatteringGroupNorm.Apply(features, 2, 6, 4, 3);
        for (int g = 0; g < 6; g++)
        {
            var group = features.AsSpan(g * 8, 8).ToArray();
            Assert.Equal(0.0, group.Average(), 5);
            Assert.Equal(1.0, group.Select(v => (double)v * v).Average(), 3);
        }
        ScatteringGroupNorm.Apply(second, 1, 6, 4, 3);
        Assert.Equal(second, features[24..]);
    }
}
