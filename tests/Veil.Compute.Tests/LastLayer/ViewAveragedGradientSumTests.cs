using Veil.Compute.LastLayer;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.LastLayer;

public class ViewAveragedGradientSumTests
{
    private static readonly FeatureMap Map = new(1.0, 0.3);

    /// <summary>Clipped features of random examples with a second, different view of each (rows of mixed norms, some clipped).</summary>
    private static ClippedFeatures TwoViews(int seed, int count = 40, int dimension = 6, int classes = 4)
    {
        var first = LastLayerData.Random(seed, count, dimension, classes);
        var second = LastLayerData.Random(seed + 1000, count, dimension, classes);
        return Map.Apply(first.WithOtherViews(second.Values));
    }

    private static double[,] Row(ClippedFeatures data, double[] values, int i)
    {
        var row = new double[1, data.Columns];
        for (int j = 0; j < data.Columns; j++) row[0, j] = values[(long)i * data.Columns + j];
        return row;
    }

    /// <summary>The reference: each example's averaged gradient materialised, clipped by its Frobenius norm, summed.</summary>
    private static double[] NaiveSum(ClippedFeatures data, double[] w, long[] batch, double clip)
    {
        int d = data.Columns, c = data.Classes;
        var sum = new double[d * c];
        foreach (var i in batch)
        {
            var g = new double[d * c];
            foreach (var values in new[] { data.Values, data.OtherViews[0] })
            {
                var x = Row(data, values, (int)i);
                var scores = new double[c];
                for (int k = 0; k < c; k++)
                    for (int j = 0; j < d; j++) scores[k] += x[0, j] * w[j * c + k];
                double max = scores.Max(), total = scores.Sum(s => Math.Exp(s - max));
                for (int k = 0; k < c; k++)
                {
                    double residual = Math.Exp(scores[k] - max) / total - (data.Labels[i] == k ? 1 : 0);
                    for (int j = 0; j < d; j++) g[j * c + k] += x[0, j] * residual / 2;
                }
            }
            double norm = Math.Sqrt(g.Sum(v => v * v)), factor = Math.Min(1, clip / norm);
            for (int m = 0; m < g.Length; m++) sum[m] += factor * g[m];
        }
        return sum;
    }

    private static double[] RandomHead(int seed, int length)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => random.NextDouble() * 4 - 2).ToArray();
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.3)]
    [InlineData(10.0)]
    public void The_Gram_form_equals_materialising_clipping_and_summing_each_examples_mean_gradient(double clip)
    {
        var data = TwoViews(5);
        var w = RandomHead(6, data.Columns * data.Classes);
        long[] batch = [0, 3, 4, 9, 17, 22, 23, 31, 39];
        using var scope = NewDisposeScope();
        var sum = ViewAveragedGradientSum.Compute(data.ViewDesigns(), data.OneHot(),
            tensor(w, [data.Columns, data.Classes], ScalarType.Float64), batch, clip);
        var expected = NaiveSum(data, w, batch, clip);
        var actual = sum.contiguous().data<double>().ToArray();
        for (int m = 0; m < expected.Length; m++) Assert.Equal(expected[m], actual[m], 1e-10);
    }

    [Fact]
    public void Each_example_contributes_one_clipped_mean_of_its_views()
    {
        const double clip = 0.1;
        var data = TwoViews(7);
        var w = RandomHead(8, data.Columns * data.Classes);
        using var scope = NewDisposeScope();
        var views = data.ViewDesigns();
        var y = data.OneHot();
        var head = tensor(w, [data.Columns, data.Classes], ScalarType.Float64);
        int binding = 0;
        for (long i = 0; i < data.Rows; i++)
        {
            double norm = ViewAveragedGradientSum.Compute(views, y, head, [i], clip).norm().item<double>();
            Assert.True(norm <= clip * (1 + 1e-12), $"example {i} contributes {norm} > C_g = {clip}");
            var unclipped = NaiveSum(data, w, [i], double.PositiveInfinity);
            if (Math.Sqrt(unclipped.Sum(v => v * v)) > clip) binding++;
        }
        Assert.True(binding > 0, "the clip should bind for some examples, or the bound is not exercised");
    }

    [Fact]
    public void One_view_is_plain_per_example_clipping()
    {
        var data = TwoViews(9);
        var w = RandomHead(10, data.Columns * data.Classes);
        using var scope = NewDisposeScope();
        var x = data.Design();
        var head = tensor(w, [data.Columns, data.Classes], ScalarType.Float64);
        long[] batch = [1, 2, 5, 8];
        var single = ViewAveragedGradientSum.Compute([x], data.OneHot(), head, batch, 0.2).contiguous().data<double>().ToArray();
        var plain = HeadSgd.ClippedGradientSum(x, data.OneHot(), x.norm(1), head, batch, 0.2).contiguous().data<double>().ToArray();
        for (int m = 0; m < plain.Length; m++) Assert.Equal(plain[m], single[m], 1e-12);
    }
}
