using Veil.Ledger.Accountants.Pld;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

/// <summary>The FFT path (two real vectors packed into one complex transform) must equal the plain O(n·m) sum.</summary>
public class PldFftConvolutionMatchesDirectSumTests
{
    [Theory]
    [InlineData(65, 65, 1)]
    [InlineData(100, 3000, 2)]
    [InlineData(4097, 1000, 3)]
    [InlineData(1000, 70, 4)]
    public void Convolution_of_two_probability_vectors_matches_the_direct_sum(int lengthA, int lengthB, int seed)
    {
        var random = new Random(seed);
        var a = RandomProbabilities(random, lengthA);
        var b = RandomProbabilities(random, lengthB);

        var viaFft = FftConvolution.Convolve(a, b);
        var direct = FftConvolution.ConvolveDirectly(a, b);

        Assert.Equal(direct.Length, viaFft.Length);
        for (var i = 0; i < direct.Length; i++) Assert.True(Math.Abs(direct[i] - viaFft[i]) < 1e-15, $"index {i}: {viaFft[i]:R} vs {direct[i]:R}");
    }

    [Theory]
    [InlineData(65, 5)]
    [InlineData(2049, 6)]
    public void Squaring_matches_the_direct_sum(int length, int seed)
    {
        var a = RandomProbabilities(new Random(seed), length);

        var viaFft = FftConvolution.Square(a);
        var direct = FftConvolution.ConvolveDirectly(a, a);

        Assert.Equal(direct.Length, viaFft.Length);
        for (var i = 0; i < direct.Length; i++) Assert.True(Math.Abs(direct[i] - viaFft[i]) < 1e-15, $"index {i}: {viaFft[i]:R} vs {direct[i]:R}");
    }

    private static double[] RandomProbabilities(Random random, int length)
    {
        var values = Enumerable.Range(0, length).Select(_ => random.NextDouble()).ToArray();
        var total = values.Sum();
        return values.Select(v => v / total).ToArray();
    }
}
