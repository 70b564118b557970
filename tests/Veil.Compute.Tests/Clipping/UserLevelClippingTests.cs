using TorchSharp;
using Veil.Compute.Clipping;
using Veil.Compute.Models;
using Veil.Compute.Runtime;
using Veil.Compute.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.Clipping;

public sealed class UserLevelClippingTests
{
    /// <summary>
    /// The reference: for each user, autograd on that user's examples alone (mean loss, so the gradient is the mean of theirs),
    /// its norm, min(1, C/‖·‖), summed in double precision. One backward pass per user; obviously right.
    /// </summary>
    internal static double[] NaivePerUserSum(VeilModel model, float[] inputs, long[] labels, int[] owners, double clipNorm, out double[] userNorms)
    {
        TorchRuntime.EnsureLoaded();
        var parameters = model.parameters().Where(p => p.requires_grad).Cast<Tensor>().ToList();
        var users = owners.Distinct().ToArray();
        double[]? sum = null;
        userNorms = new double[users.Length];
        for (var u = 0; u < users.Length; u++)
        {
            using var scope = NewDisposeScope();
            var mine = Enumerable.Range(0, owners.Length).Where(i => owners[i] == users[u]).ToArray();
            var x = tensor(mine.SelectMany(i => TestData.Slice(inputs, i, 1, 784)).ToArray(), new long[] { mine.Length, 1, 28, 28 });
            var y = tensor(mine.Select(i => labels[i]).ToArray());
            var loss = nn.functional.cross_entropy(model.call(x), y, reduction: nn.Reduction.Sum) / mine.Length;
            var grads = autograd.grad(new[] { loss }, parameters);
            var g = cat(grads.Select(t => t.reshape(-1)).ToArray(), 0).to_type(ScalarType.Float64).data<double>().ToArray();
            userNorms[u] = Math.Sqrt(g.Sum(v => v * v));
            var factor = Math.Min(1.0, clipNorm / userNorms[u]);
            sum ??= new double[g.Length];
            for (var j = 0; j < g.Length; j++) sum[j] += factor * g[j];
        }
        return sum!;
    }

    static void AssertClose(double[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(1.0, expected.Max(Math.Abs));
        var error = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(error <= tolerance * scale, $"max error {error:g3} (scale {scale:g3})");
    }

    static double Norm(float[] v) => Math.Sqrt(v.Sum(x => (double)x * x));

    [Theory]
    [InlineData("mlp", ClippingMethod.Fast)]
    [InlineData("tanh-cnn", ClippingMethod.Fast)]
    [InlineData("tanh-cnn", ClippingMethod.Materialised)]
    [InlineData("tanh-cnn", ClippingMethod.Naive)]
    public void A_users_contribution_is_their_mean_gradient_clipped_once_as_a_naive_per_user_loop_computes_it(string name, ClippingMethod method)
    {
        using var model = ModelCatalog.Create(name, seed: 2);
        int[] owners = [0, 0, 0, 1, 2, 2, 2, 2, 2, 3, 3, 4];
        var (inputs, labels) = TestData.Batch(seed: 21, owners.Length);
        NaivePerUserSum(model, inputs, labels, owners, double.MaxValue, out var unclipped);
        var clipNorm = (unclipped.Min() + unclipped.Max()) / 2; // between the users' norms, whatever the model
        var expected = NaivePerUserSum(model, inputs, labels, owners, clipNorm, out var userNorms);
        Assert.Contains(userNorms, n => n > clipNorm); // the test really clips some users...
        Assert.Contains(userNorms, n => n < clipNorm); // ...and leaves others whole
        var batch = ClippedGradientSum.Compute(model, inputs, labels, owners.Length, clipNorm, method: method, owners: owners);
        AssertClose(expected, batch.Sum, 1e-5);
        Assert.Equal(owners.Length, batch.Examples);
        // Each example reports its user's norm, so the clipped count counts the examples of clipped users.
        for (var i = 0; i < owners.Length; i++) Assert.Equal(userNorms[owners[i]], batch.PerExampleNorms[i], userNorms[owners[i]] * 1e-4);
    }

    [Fact]
    public void A_user_with_one_example_and_a_user_with_fifty_each_contribute_at_most_C()
    {
        using var model = ModelCatalog.Create("tanh-cnn", seed: 5);
        var (inputs, labels) = TestData.Batch(seed: 9, 51);
        const double clipNorm = 0.1;
        var one = ClippedGradientSum.Compute(model, TestData.Slice(inputs, 0, 1, 784), TestData.Slice(labels, 0, 1), 1, clipNorm, owners: [0]);
        var fifty = ClippedGradientSum.Compute(model, TestData.Slice(inputs, 1, 50, 784), TestData.Slice(labels, 1, 50), 50, clipNorm,
            owners: Enumerable.Repeat(0, 50).ToArray());
        Assert.True(one.PerExampleNorms[0] > clipNorm && fifty.PerExampleNorms[0] > clipNorm, "both users are clipped: the bound is what is tested");
        Assert.True(Norm(one.Sum) <= clipNorm * (1 + 1e-5), $"one example: ‖contribution‖ = {Norm(one.Sum)} > C");
        Assert.True(Norm(fifty.Sum) <= clipNorm * (1 + 1e-5), $"fifty examples: ‖contribution‖ = {Norm(fifty.Sum)} > C");
        Assert.Equal(clipNorm, Norm(one.Sum), clipNorm * 1e-4);
        Assert.Equal(clipNorm, Norm(fifty.Sum), clipNorm * 1e-4);
        // As examples, the same fifty would contribute up to 50·C: the user level is what bounds them.
        var asExamples = ClippedGradientSum.Compute(model, TestData.Slice(inputs, 1, 50, 784), TestData.Slice(labels, 1, 50), 50, clipNorm);
        Assert.True(Norm(asExamples.Sum) > 2 * clipNorm, $"as examples ‖Σ‖ = {Norm(asExamples.Sum)}");
    }

    [Fact]
    public void Whole_users_in_any_micro_batches_sum_to_the_naive_per_user_total()
    {
        using var model = ModelCatalog.Create("tanh-cnn", seed: 3);
        int[] owners = [0, 0, 1, 1, 1, 1, 2, 3, 3, 3];
        var (inputs, labels) = TestData.Batch(seed: 5, owners.Length);
        const double clipNorm = 0.2;
        var expected = NaivePerUserSum(model, inputs, labels, owners, clipNorm, out _);
        // Users {0, 1} on one worker, {2, 3} on another; each micro-batch numbers its users from 0.
        var first = ClippedGradientSum.Compute(model, TestData.Slice(inputs, 0, 6, 784), TestData.Slice(labels, 0, 6), 6, clipNorm, owners: [0, 0, 1, 1, 1, 1]);
        var second = ClippedGradientSum.Compute(model, TestData.Slice(inputs, 6, 4, 784), TestData.Slice(labels, 6, 4), 4, clipNorm, owners: [0, 1, 1, 1]);
        AssertClose(expected, first.Sum.Zip(second.Sum, (a, b) => a + b).ToArray(), 1e-5);
    }

    [Fact]
    public void Owners_must_name_every_example()
    {
        using var model = ModelCatalog.Create("mlp", seed: 2);
        var (inputs, labels) = TestData.Batch(seed: 1, 4);
        Assert.Throws<ArgumentException>(() => ClippedGradientSum.Compute(model, inputs, labels, 4, 1.0, owners: [0, 0, 1]));
    }
}
