using TorchSharp;
using Veil.Compute.Models;
using Veil.Compute.PerExample;
using Veil.Compute.Runtime;
using Veil.Compute.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.PerExample;

public sealed class PerExampleGradientTests
{
    // Both sides are float32 sums in different orders; 1e-5 relative to the largest coordinate is far
    // above rounding (~1e-7) and far below any real rule error (which is O(1) relative).
    const double Tolerance = 1e-5;

    public static TheoryData<string, int[]> Cases => new()
    {
        { "mlp", new[] { 1, 16, 5 } },       // a micro-batch of one, a full one, a ragged last one
        { "tanh-cnn", new[] { 1, 8, 3 } },
        { "scatternet-linear", new[] { 1, 8, 3 } },
        { "scatternet-cnn", new[] { 1, 6, 2 } },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Per_example_gradients_equal_the_one_example_at_a_time_loop(string modelName, int[] microBatches)
    {
        using var model = ModelCatalog.Create(modelName, seed: 11);
        var (inputs, labels) = TestData.Batch(seed: 5, microBatches.Sum(), model.ExampleSize);
        int from = 0;
        foreach (int count in microBatches)
        {
            using var scope = NewDisposeScope();
            var x = HostArrays.Inputs(model, TestData.Slice(inputs, from, count, model.ExampleSize), count);
            var y = HostArrays.Labels(model, TestData.Slice(labels, from, count), count);
            var fast = PerExampleGradients.Compute(model, x, y).Flat();
            var naive = NaivePerExampleGradients.Compute(model, x, y);
            Assert.Equal(naive.shape, fast.shape);
            double scale = Math.Max(1.0, naive.abs().max().item<float>());
            double error = (fast - naive).abs().max().item<float>();
            Assert.True(error <= Tolerance * scale, $"{modelName}, micro-batch of {count}: max |fast − naive| = {error:g3} (scale {scale:g3})");
            Assert.True(naive.abs().max().item<float>() > 1e-3, "the reference gradients are not trivially zero");
            from += count;
        }
    }

    [Fact]
    public void Per_example_losses_are_the_individual_cross_entropies()
    {
        using var model = ModelCatalog.Create("mlp", seed: 3);
        var (inputs, labels) = TestData.Batch(seed: 9, 4);
        using var scope = NewDisposeScope();
        var x = HostArrays.Inputs(model, inputs, 4);
        var y = HostArrays.Labels(model, labels, 4);
        var losses = PerExampleGradients.Compute(model, x, y).Losses.data<float>().ToArray();
        for (int i = 0; i < 4; i++)
        {
            var one = nn.functional.cross_entropy(model.call(x[TensorIndex.Slice(i, i + 1)]), y[TensorIndex.Slice(i, i + 1)]).item<float>();
            Assert.Equal(one, losses[i], 1e-5f);
        }
    }

    [Fact]
    public void Computing_per_example_gradients_leaves_parameter_grads_untouched()
    {
        using var model = ModelCatalog.Create("mlp", seed: 3);
        var (inputs, labels) = TestData.Batch(seed: 9, 4);
        using var scope = NewDisposeScope();
        PerExampleGradients.Compute(model, HostArrays.Inputs(model, inputs, 4), HostArrays.Labels(model, labels, 4));
        Assert.All(model.parameters(), p => Assert.True(p.grad is null || p.grad.abs().sum().item<float>() == 0));
    }
}
