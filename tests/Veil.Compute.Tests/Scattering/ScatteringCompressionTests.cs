using Veil.Compute.Scattering;
using Xunit;

namespace Veil.Compute.Tests.Scattering;

public class ScatteringCompressionTests
{
    // Spans several chunks (the map works in parallel chunks of 65 536) and the coefficients' range, zero included.
    private static float[] Coefficients()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 200_000).Select(_ => (float)Math.Pow(10, -6 + 7 * random.NextDouble())).ToArray();
        values[0] = 0f;
        return values;
    }

    private static void AssertMap(string compression, double offset, Func<double, double> direct)
    {
        var input = Coefficients();
        var output = (float[])input.Clone();
        ScatteringCompression.Apply(output, compression, offset);
        for (int i = 0; i < input.Length; i++)
        {
            double expected = direct(input[i]);
            Assert.True(Math.Abs(output[i] - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)),
                $"{compression}: f({input[i]:R}) = {output[i]:R}, direct {expected:R}");
        }
    }

    [Fact]
    public void None_leaves_every_coefficient_unchanged()
    {
        var input = Coefficients();
        var output = (float[])input.Clone();
        ScatteringCompression.Apply(output, "none", 0.01);
        Assert.Equal(input, output);
    }

    [Fact]
    public void Sqrt_equals_the_square_root_of_each_coefficient() => AssertMap("sqrt", 0.01, Math.Sqrt);

    [Theory]
    [InlineData(0.01)]
    [InlineData(1.0)]
    public void Log_equals_log_of_one_plus_the_coefficient_over_the_offset(double offset) =>
        AssertMap("log", offset, x => Math.Log(1 + x / offset));

    [Fact]
    public void Negative_rounding_residue_maps_to_zero()
    {
        var values = new[] { -1e-9f, -1e-9f };
        ScatteringCompression.Apply(values, "sqrt", 0.01);
        Assert.Equal(0f, values[0]);
        values = [-1e-9f];
        ScatteringCompression.Apply(values, "log", 0.01);
        Assert.Equal(0f, values[0]);
    }

    [Fact]
    public void An_unknown_compression_or_a_non_positive_offset_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => ScatteringCompression.Apply([1f], "cube", 0.01));
        Assert.Contains("none, sqrt, log", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ScatteringCompression.Apply([1f], "log", 0));
    }
}
