using TorchSharp;
using Veil.Compute.Clipping;
using Veil.Compute.Models;
using Veil.Compute.Parameters;
using Veil.Compute.PerExample;
using Veil.Compute.Runtime;
using Veil.Compute.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.Clipping;

public sealed class ClippedGradientSumTests
{
    /// <summary>Σ_i min(1, C/‖g_i‖) g_i from the naive reference, clipped one example at a time in double precision.</summary>
    static double[] NaiveClippedSum(VeilModel model, float[] inputs, long[] labels, int count, double clipNorm, out double[] norms)
    {
        using var scope = NewDisposeScope();
        var naive = NaivePerExampleGradients.Compute(model, HostArrays.Inputs(model, inputs, count), HostArrays.Labels(model, labels, count));
        var rows = naive.to_type(ScalarType.Float64);
        var sum = new double[rows.shape[1]];
        norms = new double[count];
        for (int i = 0; i < count; i++)
        {
            double[] g = rows[i].data<double>().ToArray();
            norms[i] = Math.Sqrt(g.Sum(v => v * v));
            double factor = Math.Min(1.0, clipNorm / norms[i]);
            for (int j = 0; j < g.Length; j++) sum[j] += factor * g[j];
        }
        return sum;
    }

    static void AssertClose(double[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1.0, expected.Max(Math.Abs));
        double error = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(error <= tolerance * scale, $"max error {error:g3} (scale {scale:g3})");
    }

    [Theory]
    [InlineData("mlp", 13)]
    [InlineData("tanh-cnn", 6)]
    [InlineData("scatternet-linear", 7)]
    [InlineData("scatternet-cnn", 5)]
    public void The_clipped_sum_equals_the_sum_of_individually_clipped_naive_gradients(string name, int count)
    {
        using var model = ModelCatalog.Create(name, seed: 2);
        var (inputs, labels) = TestData.Batch(seed: 17, count, model.ExampleSize);
        const double clipNorm = 0.5;
        var expected = NaiveClippedSum(model, inputs, labels, count, clipNorm, out var naiveNorms);
        Assert.Contains(naiveNorms, n => n > clipNorm); // the test really clips something...
        var batch = ClippedGradientSum.Compute(model, inputs, labels, count, clipNorm);
        AssertClose(expected, batch.Sum, 1e-5);
        Assert.Equal(count, batch.Examples);
        for (int i = 0; i < count; i++) Assert.Equal(naiveNorms[i], batch.PerExampleNorms[i], naiveNorms[i] * 1e-5);
    }

    [Fact]
    public void Clipped_per_example_norms_are_at_most_C()
    {
        using var model = ModelCatalog.Create("tanh-cnn", seed: 4);
        var (inputs, labels) = TestData.Batch(seed: 8, 12);
        const double clipNorm = 0.1; // Tramèr & Boneh's C: most examples are clipped
        using var scope = NewDisposeScope();
        var batch = PerExampleGradients.Compute(model, HostArrays.Inputs(model, inputs, 12), HostArrays.Labels(model, labels, 12));
        var norms = FlatClipping.Norms(batch.Gradients, 12);
        var factors = FlatClipping.Factors(norms, clipNorm);
        var clipped = batch.Gradients.Select(g => g * factors.reshape(new long[] { 12 }.Concat(Enumerable.Repeat(1L, (int)g.dim() - 1)).ToArray())).ToList();
        var clippedNorms = FlatClipping.Norms(clipped, 12).data<float>().ToArray();
        Assert.Contains(norms.data<float>().ToArray(), n => n > clipNorm);
        Assert.All(clippedNorms, n => Assert.True(n <= clipNorm + 1e-6, $"clipped norm {n} > C = {clipNorm}"));
    }

    [Fact]
    public void Gradients_already_below_C_are_not_scaled()
    {
        using var model = ModelCatalog.Create("mlp", seed: 2);
        var (inputs, labels) = TestData.Batch(seed: 3, 7);
        var expected = NaiveClippedSum(model, inputs, labels, 7, double.MaxValue, out var norms);
        double clipNorm = norms.Max() * 1.01;
        var batch = ClippedGradientSum.Compute(model, inputs, labels, 7, clipNorm);
        AssertClose(expected, batch.Sum, 1e-5);
    }

    [Fact]
    public void An_empty_micro_batch_gives_a_zero_sum_of_the_right_length()
    {
        using var model = ModelCatalog.Create("tanh-cnn", seed: 2);
        var batch = ClippedGradientSum.Compute(model, Array.Empty<float>(), Array.Empty<long>(), 0, 1.0);
        Assert.Equal(ParameterLayout.Of(model).TotalCount, batch.Sum.Length);
        Assert.All(batch.Sum, v => Assert.Equal(0f, v));
        Assert.Equal(0, batch.Examples);
        Assert.Equal(0.0, batch.LossSum);
        Assert.Empty(batch.PerExampleNorms);
    }

    [Fact]
    public void Longer_reused_buffers_are_read_only_up_to_count()
    {
        using var model = ModelCatalog.Create("mlp", seed: 2);
        var (inputs, labels) = TestData.Batch(seed: 3, 10);
        var exact = ClippedGradientSum.Compute(model, TestData.Slice(inputs, 0, 4, 784), TestData.Slice(labels, 0, 4), 4, 1.0);
        var prefix = ClippedGradientSum.Compute(model, inputs, labels, 4, 1.0);
        Assert.Equal(exact.Sum, prefix.Sum);
    }

    [Fact]
    public void A_non_finite_gradient_is_refused_naming_the_step()
    {
        using var model = ModelCatalog.Create("mlp", seed: 2);
        var (inputs, labels) = TestData.Batch(seed: 3, 3);
        inputs[800] = float.NaN;
        var e = Assert.Throws<NonFiniteGradientException>(() => ClippedGradientSum.Compute(model, inputs, labels, 3, 1.0, step: 42));
        Assert.Equal(42, e.Step);
        Assert.Contains("step 42", e.Message);
    }

    [Fact]
    public void Labels_outside_the_classes_are_refused()
    {
        using var model = ModelCatalog.Create("mlp", seed: 2);
        var (inputs, _) = TestData.Batch(seed: 3, 2);
        Assert.Throws<ArgumentException>(() => ClippedGradientSum.Compute(model, inputs, new long[] { 0, 10 }, 2, 1.0));
    }
}
