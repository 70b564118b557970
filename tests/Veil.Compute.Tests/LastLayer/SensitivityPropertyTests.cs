using FsCheck.Xunit;
using Veil.Compute.LastLayer;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.LastLayer;

/// <summary>
/// Each released statistic, computed on a random dataset and on its neighbour with one example more, differs by
/// at most the sensitivity its mechanism states (the Frobenius norm of the difference, which also bounds the
/// upper triangle that symmetric releases noise). FsCheck draws the seeds; sizes, C, b and the public W (from
/// near-uniform to near-one-hot probabilities) follow from each seed.
/// </summary>
public class SensitivityPropertyTests
{
    private const double Slack = 1e-9; // float64 rounding only

    private sealed record Case(ClippedFeatures Smaller, ClippedFeatures Larger, double Clip, Tensor W) : IDisposable
    {
        public void Dispose() => W.Dispose();
    }

    private static Case Draw(int seed)
    {
        var random = new Random(seed);
        int n = random.Next(1, 30), d = random.Next(1, 12), k = random.Next(2, 7);
        double clip = Math.Exp(random.NextDouble() * 4 - 2);
        double bias = random.Next(2) == 0 ? 0 : clip * random.NextDouble() * 0.9;
        var (smaller, larger) = LastLayerData.Neighbours(seed, n, d, k);
        var map = new FeatureMap(clip, bias);
        var xs = map.Apply(smaller);
        double wScale = Math.Exp(random.NextDouble() * 8 - 4) / clip; // logits from ±0.02 to ±50
        var weights = Enumerable.Range(0, xs.Columns * k).Select(_ => wScale * (random.NextDouble() * 2 - 1)).ToArray();
        var w = tensor(weights, [xs.Columns, k], ScalarType.Float64);
        return new Case(xs, map.Apply(larger), clip, w);
    }

    private static double Change(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a - b).norm().item<double>();
    }

    [Property(MaxTest = 60)]
    public bool Covariance_changes_by_at_most_C_squared(int seed)
    {
        using var c = Draw(seed);
        using var scope = NewDisposeScope();
        var change = Change(SufficientStatistics.Covariance(c.Smaller.Design()), SufficientStatistics.Covariance(c.Larger.Design()));
        return change <= LastLayerSensitivity.Covariance(c.Clip) * (1 + Slack);
    }

    [Property(MaxTest = 60)]
    public bool Targets_change_by_at_most_C(int seed)
    {
        using var c = Draw(seed);
        using var scope = NewDisposeScope();
        var change = Change(SufficientStatistics.Targets(c.Smaller.Design(), c.Smaller.OneHot()), SufficientStatistics.Targets(c.Larger.Design(), c.Larger.OneHot()));
        return change <= LastLayerSensitivity.Targets(c.Clip) * (1 + Slack);
    }

    [Property(MaxTest = 60)]
    public bool Logistic_gradient_at_any_public_W_changes_by_at_most_root_two_C(int seed)
    {
        using var c = Draw(seed);
        using var scope = NewDisposeScope();
        Tensor Gradient(ClippedFeatures f)
        {
            var x = f.Design();
            return SufficientStatistics.LogisticGradient(x, f.OneHot(), SufficientStatistics.Probabilities(x, c.W));
        }
        return Change(Gradient(c.Smaller), Gradient(c.Larger)) <= LastLayerSensitivity.LogisticGradient(c.Clip) * (1 + Slack);
    }

    [Property(MaxTest = 60)]
    public bool Hessian_blocks_at_any_public_W_change_by_at_most_root_four_27ths_C_squared(int seed)
    {
        using var c = Draw(seed);
        using var scope = NewDisposeScope();
        double Squared(ClippedFeatures a, ClippedFeatures b)
        {
            var xa = a.Design();
            var xb = b.Design();
            var pa = SufficientStatistics.Probabilities(xa, c.W);
            var pb = SufficientStatistics.Probabilities(xb, c.W);
            double sum = 0;
            for (int k = 0; k < a.Classes; k++)
            {
                var change = Change(SufficientStatistics.LogisticHessianBlock(xa, pa, k), SufficientStatistics.LogisticHessianBlock(xb, pb, k));
                sum += change * change;
            }
            return sum;
        }
        return Math.Sqrt(Squared(c.Smaller, c.Larger)) <= LastLayerSensitivity.LogisticHessianBlocks(c.Clip) * (1 + Slack);
    }

    [Property(MaxTest = 60)]
    public bool Clipped_gradient_sum_changes_by_at_most_the_gradient_clip(int seed)
    {
        using var c = Draw(seed);
        using var scope = NewDisposeScope();
        double clip = c.Clip * (0.1 + (uint)seed % 20 / 10.0); // from far below √2·C_x (binding) to above it
        Tensor Sum(ClippedFeatures f)
        {
            var x = f.Design();
            return HeadSgd.ClippedGradientSum(x, f.OneHot(), x.norm(1), c.W, Enumerable.Range(0, f.Rows).Select(i => (long)i).ToArray(), clip);
        }
        return Change(Sum(c.Smaller), Sum(c.Larger)) <= clip * (1 + Slack);
    }

    [Fact]
    public void Feature_rows_have_norm_at_most_C_with_the_bias_inside_it_and_short_rows_are_kept()
    {
        var features = LastLayerData.Random(3, 200, 7, 3);
        var clipped = new FeatureMap(2.0, 0.5).Apply(features);
        Assert.Equal(8, clipped.Columns);
        double budget = Math.Sqrt(4 - 0.25);
        for (int i = 0; i < clipped.Rows; i++)
        {
            var row = clipped.Values.AsSpan(i * 8, 8);
            Assert.Equal(0.5, row[7]);
            double norm = Math.Sqrt(row.ToArray().Sum(v => v * v));
            Assert.True(norm <= 2.0 * (1 + 1e-12), $"row {i} norm {norm}");
            double original = Math.Sqrt(features.Row(i).ToArray().Sum(v => (double)v * v));
            if (original <= budget)
                for (int j = 0; j < 7; j++) Assert.Equal(features.Row(i)[j], row[j], 6);
        }
    }

    [Fact]
    public void The_Hessian_bound_is_attained_by_uniform_probabilities_over_three_classes()
    {
        // p = (1/3, 1/3, 1/3) (W = 0, K = 3) and ‖x‖ = C: Σ_k p_k²(1 − p_k)² = 3·(1/9)(4/9) = 4/27 exactly.
        using var scope = NewDisposeScope();
        var one = new FeatureSet([3f, 4f], 1, 2, [0], 3, "tight");
        var clipped = new FeatureMap(1.0, 0).Apply(one);
        var x = clipped.Design();
        var p = SufficientStatistics.Probabilities(x, zeros(2, 3, ScalarType.Float64));
        double squared = Enumerable.Range(0, 3).Sum(k => Math.Pow(SufficientStatistics.LogisticHessianBlock(x, p, k).norm().item<double>(), 2));
        Assert.Equal(LastLayerSensitivity.LogisticHessianBlocks(1.0), Math.Sqrt(squared), 12);
    }

    [Fact]
    public void The_gradient_bound_is_approached_when_all_mass_is_on_one_wrong_class()
    {
        using var scope = NewDisposeScope();
        var clipped = new FeatureMap(1.0, 0).Apply(new FeatureSet([1f, 0f], 1, 2, [0], 3, "tight"));
        var x = clipped.Design();
        var w = tensor(new double[] { 0, 40, 0, 0, 0, 0 }, [2, 3], ScalarType.Float64); // logit 40 on class 1, label 0
        var g = SufficientStatistics.LogisticGradient(x, clipped.OneHot(), SufficientStatistics.Probabilities(x, w));
        Assert.Equal(LastLayerSensitivity.LogisticGradient(1.0), g.norm().item<double>(), 9);
    }
}
