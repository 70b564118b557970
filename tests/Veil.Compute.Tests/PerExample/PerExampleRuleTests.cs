using TorchSharp;
using Veil.Compute.Clipping;
using Veil.Compute.Models;
using Veil.Compute.PerExample;
using Veil.Compute.Runtime;
using Veil.Compute.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.PerExample;

/// <summary>
/// Every layer rule, in every configuration it claims, against the one-example-at-a-time loop: per-example
/// norms and the clipped sum, by ghost norms and by materialising. Small float64 networks keep the
/// comparison about the rule, not about float32 rounding.
/// </summary>
public sealed class PerExampleRuleTests
{
    const double Tolerance = 1e-5;

    public PerExampleRuleTests() => TorchRuntime.EnsureLoaded();

    /// <summary>A network around one layer under test, and a random input of B examples for it.</summary>
    public sealed record Case(string Name, Func<nn.Module<Tensor, Tensor>> Build, Func<Generator, long, Tensor> Input)
    {
        public override string ToString() => Name;
    }

    static Tensor Images(Generator g, long b, long c, long h, long w) => randn(new[] { b, c, h, w }, dtype: ScalarType.Float64, generator: g);

    static readonly Case[] AllCases =
    {
        new Case("linear on vectors", () => new Chain(("fc1", nn.Linear(7, 5)), ("act", nn.Tanh()), ("fc2", nn.Linear(5, 3, hasBias: false))),
            (g, b) => randn(new[] { b, 7L }, dtype: ScalarType.Float64, generator: g)),
        new Case("linear on sequences", () => new Chain(("fc1", nn.Linear(6, 5)), ("act", nn.Tanh()), ("flat", nn.Flatten()), ("fc2", nn.Linear(20, 3))),
            (g, b) => randn(new[] { b, 4L, 6 }, dtype: ScalarType.Float64, generator: g)),
        new Case("conv stride 2 padding 1", () => new Chain(("conv", nn.Conv2d(3, 4, 3, stride: 2, padding: 1)), ("act", nn.Tanh()), ("flat", nn.Flatten()), ("fc", nn.Linear(4 * 5 * 5, 3))),
            (g, b) => Images(g, b, 3, 9, 9)),
        new Case("conv one input channel stride 2 padding 2", () => new Chain(("conv", nn.Conv2d(1, 3, 4, stride: 2, padding: 2)), ("act", nn.Tanh()), ("flat", nn.Flatten()), ("fc", nn.Linear(3 * 5 * 5, 3))),
            (g, b) => Images(g, b, 1, 9, 9)),
        new Case("conv one input channel dilation 2 rectangular no bias", () => new Chain(("conv", nn.Conv2d(1, 2, (3, 2), stride: (1, 2), padding: (0, 0), dilation: (2, 2), bias: false)), ("act", nn.Tanh()), ("flat", nn.Flatten()), ("fc", nn.Linear(2 * 4 * 3, 3))),
            (g, b) => Images(g, b, 1, 8, 8)),
        new Case("conv dilation 2 no bias", () => new Chain(("conv", nn.Conv2d(2, 3, 3, dilation: 2, bias: false)), ("act", nn.Tanh()), ("flat", nn.Flatten()), ("fc", nn.Linear(3 * 4 * 4, 3))),
            (g, b) => Images(g, b, 2, 8, 8)),
        new Case("conv groups 2 rectangular padding", () => new Chain(("conv", nn.Conv2d(4, 6, (3, 2), stride: (1, 2), padding: (1, 0), groups: 2)), ("act", nn.Tanh()), ("flat", nn.Flatten()), ("fc", nn.Linear(6 * 6 * 3, 3))),
            (g, b) => Images(g, b, 4, 6, 6)),
        new Case("depthwise conv", () => new Chain(("conv", nn.Conv2d(3, 3, 3, padding: 1, groups: 3)), ("act", nn.Tanh()), ("flat", nn.Flatten()), ("fc", nn.Linear(3 * 5 * 5, 3))),
            (g, b) => Images(g, b, 3, 5, 5)),
        new Case("standardised conv stride 2 padding 1", () => new Chain(("conv", new StandardisedConv2d(3, 4, 3, stride: 2, padding: 1)), ("act", nn.Tanh()), ("flat", nn.Flatten()), ("fc", nn.Linear(4 * 5 * 5, 3))),
            (g, b) => Images(g, b, 3, 9, 9)),
        new Case("standardised conv dilation 2 no bias", () => new Chain(("conv", new StandardisedConv2d(2, 3, 3, dilation: 2, bias: false)), ("act", nn.Tanh()), ("flat", nn.Flatten()), ("fc", nn.Linear(3 * 4 * 4, 3))),
            (g, b) => Images(g, b, 2, 8, 8)),
        new Case("standardised conv groups 2 padding 1", () => new Chain(("conv", new StandardisedConv2d(4, 6, 3, padding: 1, groups: 2)), ("act", nn.Tanh()), ("flat", nn.Flatten()), ("fc", nn.Linear(6 * 6 * 6, 3))),
            (g, b) => Images(g, b, 4, 6, 6)),
        new Case("standardised conv one input channel stride 2 padding 2 no bias", () => new Chain(("conv", new StandardisedConv2d(1, 3, 4, stride: 2, padding: 2, bias: false)), ("act", nn.Tanh()), ("flat", nn.Flatten()), ("fc", nn.Linear(3 * 5 * 5, 3))),
            (g, b) => Images(g, b, 1, 9, 9)),
        new Case("standardised conv then group norm", () => new Chain(("conv", new StandardisedConv2d(2, 4, 3, padding: 1, bias: false)), ("norm", GroupNorms.Create(2, 4)), ("act", nn.Tanh()), ("flat", nn.Flatten()), ("fc", nn.Linear(4 * 5 * 5, 3))),
            (g, b) => Images(g, b, 2, 5, 5)),
        new Case("group norm", () => new Chain(("conv", nn.Conv2d(2, 4, 3)), ("norm", Veil.Compute.Models.GroupNorms.Create(2, 4)), ("act", nn.Tanh()), ("flat", nn.Flatten()), ("fc", nn.Linear(4 * 4 * 4, 3))),
            (g, b) => Images(g, b, 2, 6, 6)),
        new Case("layer norm", () => new Chain(("fc1", nn.Linear(6, 6)), ("norm", nn.LayerNorm(6)), ("act", nn.Tanh()), ("flat", nn.Flatten()), ("fc2", nn.Linear(18, 3))),
            (g, b) => randn(new[] { b, 3L, 6 }, dtype: ScalarType.Float64, generator: g)),
        new Case("embedding with repeated indices", () => new Chain(("embed", nn.Embedding(7, 4)), ("flat", nn.Flatten()), ("act", nn.Tanh()), ("fc", nn.Linear(20, 3))),
            (g, b) => randint(7, new[] { b, 5L }, dtype: ScalarType.Int64, generator: g)),
    };

    public static TheoryData<Case> Cases
    {
        get
        {
            var data = new TheoryData<Case>();
            foreach (var c in AllCases) data.Add(c);
            return data;
        }
    }

    /// <summary>Perturbs normalisation parameters away from 1/0 so their gradients are not trivially special.</summary>
    static nn.Module<Tensor, Tensor> Build(Case c)
    {
        var model = c.Build();
        model.to(ScalarType.Float64);
        using var _ = no_grad();
        var g = manual_seed(3);
        foreach (var p in model.parameters()) p.add_(randn(p.shape, dtype: p.dtype, generator: g) * 0.1);
        return model;
    }

    static (Tensor Sum, Tensor Norms) Naive(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, double clipNorm, int multiplicity = 1)
    {
        var rows = NaivePerExampleGradients.Compute(model, x, y, multiplicity);
        var norms = rows.square().sum(1L).sqrt();
        var factors = norms.clamp_min(clipNorm).reciprocal() * clipNorm;
        return ((factors.unsqueeze(1) * rows).sum(0L), norms);
    }

    static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double scale = Math.Max(1e-12, expected.abs().max().item<double>());
        double error = (expected - actual).abs().max().item<double>();
        Assert.True(error <= Tolerance * scale, $"{what}: max error {error:g3} against scale {scale:g3}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_rule_gives_the_naive_loops_norms_and_clipped_sum_by_ghost_and_by_materialising(Case c)
    {
        using var model = Build(c);
        foreach (long batch in new long[] { 1, 5 })
        {
            using var scope = NewDisposeScope();
            var g = manual_seed(17 + batch);
            var x = c.Input(g, batch);
            var y = randint(3, new[] { batch }, dtype: ScalarType.Int64, generator: g);
            var (_, norms) = Naive(model, x, y, double.MaxValue);
            double clipNorm = norms.median().item<double>(); // about half the examples are clipped
            var (expected, _) = Naive(model, x, y, clipNorm);
            foreach (var strategy in new[] { NormStrategy.Ghost, NormStrategy.Materialise, NormStrategy.Auto })
            {
                var (sum, fastNorms, _) = BookkeepingClipping.Compute(model, x, y, clipNorm, strategy: strategy);
                AssertClose(norms, fastNorms, $"{c.Name}, B={batch}, {strategy}: norms");
                AssertClose(expected, sum, $"{c.Name}, B={batch}, {strategy}: clipped sum");
            }
            Assert.True(norms.min().item<double>() > 1e-6, "the reference gradients are not trivially zero");
        }
    }

    [Theory]
    [InlineData("conv stride 2 padding 1")]
    [InlineData("conv groups 2 rectangular padding")]
    [InlineData("linear on sequences")]
    [InlineData("conv one input channel stride 2 padding 2")]
    [InlineData("standardised conv groups 2 padding 1")]
    [InlineData("standardised conv one input channel stride 2 padding 2 no bias")]
    public void Norms_taken_one_example_at_a_time_and_sums_without_kept_gradients_match_the_naive_loop(string name)
    {
        // Budgets of one byte: patches are formed one example per chunk and no materialised gradient is kept,
        // so every clipped sum runs through the layer's own backward node with δ rescaled; K = 2 augmentations
        // checks that chunks cut at example (not row) boundaries.
        OneExamplePerChunk(name, new PerExampleBudgets(ChunkBytes: 1, KeepBytes: 0));
    }

    [Theory]
    [InlineData("conv stride 2 padding 1")]
    [InlineData("conv groups 2 rectangular padding")]
    [InlineData("conv one input channel stride 2 padding 2")]
    [InlineData("standardised conv groups 2 padding 1")]
    public void Gradients_kept_chunk_by_chunk_give_the_naive_loops_clipped_sum(string name)
    {
        // One example per chunk, every chunk's gradients kept: the clipped sum is a weighted sum over the kept chunks,
        // reordered from the patches' channels-last order into the weight's.
        OneExamplePerChunk(name, new PerExampleBudgets(ChunkBytes: 1, KeepBytes: long.MaxValue));
    }

    static void OneExamplePerChunk(string name, PerExampleBudgets budgets)
    {
        using var model = Build(AllCases.First(c => c.Name == name));
        PerExampleBudgets.Use(budgets);
        try
        {
            using var scope = NewDisposeScope();
            const int examples = 5, k = 2;
            var g = manual_seed(21);
            var x = AllCases.First(c => c.Name == name).Input(g, examples * k);
            var y = randint(3, new[] { (long)examples }, dtype: ScalarType.Int64, generator: g).repeat_interleave(k);
            var (_, unclipped) = Naive(model, x, y, double.MaxValue, k);
            double clipNorm = unclipped.median().item<double>();
            var (expected, norms) = Naive(model, x, y, clipNorm, k);
            foreach (var strategy in new[] { NormStrategy.Ghost, NormStrategy.Materialise })
            {
                var (sum, fastNorms, _) = BookkeepingClipping.Compute(model, x, y, clipNorm, multiplicity: k, strategy: strategy);
                AssertClose(norms, fastNorms, $"{name}, {strategy}: norms");
                AssertClose(expected, sum, $"{name}, {strategy}: clipped sum");
            }
        }
        finally
        {
            PerExampleBudgets.Use(null);
        }
    }

    [Fact]
    public void Ghost_and_materialised_norms_agree_layer_by_layer()
    {
        using var model = Build(AllCases.First(c => c.Name.StartsWith("conv stride 2")));
        using var scope = NewDisposeScope();
        var g = manual_seed(5);
        var x = Images(g, 4, 3, 9, 9);
        var y = randint(3, new[] { 4L }, dtype: ScalarType.Int64, generator: g);
        var plan = PerExamplePlan.For(model);
        var (ghost, _) = plan.Run(x, y, 1, NormStrategy.Ghost);
        var (materialised, _) = plan.Run(x, y, 1, NormStrategy.Materialise);
        Assert.All(ghost, l => Assert.Equal("ghost", l.Layer.Method));
        Assert.All(materialised, l => Assert.Equal("materialise", l.Layer.Method));
        for (int i = 0; i < ghost.Count; i++)
            AssertClose(materialised[i].Layer.SquaredNorms(), ghost[i].Layer.SquaredNorms(), ghost[i].Path);
    }

    [Fact]
    public void The_cost_model_uses_ghost_norms_for_few_positions_and_materialises_for_many()
    {
        Assert.Equal(NormStrategy.Ghost, OuterProductLayer.Choose(NormStrategy.Auto, 256, 1, 1, 512, 32));        // a dense layer
        Assert.Equal(NormStrategy.Materialise, OuterProductLayer.Choose(NormStrategy.Auto, 256, 1, 169, 64, 16)); // tanh-cnn conv1: L = 13²
        Assert.Equal(NormStrategy.Ghost, OuterProductLayer.Choose(NormStrategy.Auto, 64, 1, 16, 4608, 512));     // ResNet-18 stage 4 at 32×32
    }

    [Fact]
    public void Multiplicity_averages_augmentations_before_clipping()
    {
        using var model = Build(AllCases.First(c => c.Name.StartsWith("group norm")));
        using var scope = NewDisposeScope();
        const int examples = 3, k = 4;
        var g = manual_seed(8);
        var x = Images(g, examples * k, 2, 6, 6);
        var y = randint(3, new[] { (long)examples }, dtype: ScalarType.Int64, generator: g).repeat_interleave(k);
        var (_, unclipped) = Naive(model, x, y, double.MaxValue, k);
        double clipNorm = unclipped.median().item<double>();
        var (expected, norms) = Naive(model, x, y, clipNorm, k);
        var (sum, fastNorms, losses) = BookkeepingClipping.Compute(model, x, y, clipNorm, multiplicity: k);
        Assert.Equal(new long[] { examples }, fastNorms.shape);
        Assert.Equal(new long[] { examples }, losses.shape);
        AssertClose(norms, fastNorms, "norms of averaged gradients");
        AssertClose(expected, sum, "sum of clipped averaged gradients");
        var perExample = PerExampleGradients.Compute(model, x, y, k).Flat();
        var clipped = perExample * (fastNorms.clamp_min(clipNorm).reciprocal() * clipNorm).unsqueeze(1);
        Assert.All(clipped.square().sum(1L).sqrt().data<double>().ToArray(), n => Assert.True(n <= clipNorm * (1 + 1e-9), $"clipped norm {n} > C = {clipNorm}"));
    }

    [Fact]
    public void Under_the_naive_policy_a_layer_without_a_rule_gets_the_naive_loops_gradients()
    {
        using var model = new Chain(("fc1", nn.Linear(6, 5)), ("act", nn.PReLU(1)), ("fc2", nn.Linear(5, 3)));
        model.to(ScalarType.Float64);
        using var scope = NewDisposeScope();
        var g = manual_seed(12);
        var x = randn(new[] { 4L, 6 }, dtype: ScalarType.Float64, generator: g);
        var y = randint(3, new[] { 4L }, dtype: ScalarType.Int64, generator: g);
        Assert.Throws<UnsupportedModuleException>(() => BookkeepingClipping.Compute(model, x, y, 1.0));
        using var fresh = new Chain(("fc1", nn.Linear(6, 5)), ("act", nn.PReLU(1)), ("fc2", nn.Linear(5, 3)));
        fresh.to(ScalarType.Float64);
        var (_, norms) = Naive(fresh, x, y, double.MaxValue);
        double clipNorm = norms.median().item<double>();
        var (expected, _) = Naive(fresh, x, y, clipNorm);
        var (sum, fastNorms, _) = BookkeepingClipping.Compute(fresh, x, y, clipNorm, unsupported: UnsupportedModulePolicy.Naive);
        AssertClose(norms, fastNorms, "norms with a naive fallback layer");
        AssertClose(expected, sum, "clipped sum with a naive fallback layer");
    }

    [Fact]
    public void A_Sequential_container_is_refused_with_the_fix()
    {
        using var model = nn.Sequential(("fc", nn.Linear(4, 3)));
        using var scope = NewDisposeScope();
        var e = Assert.Throws<UnsupportedModuleException>(() => BookkeepingClipping.Compute(model, randn(2, 4), tensor(new long[] { 0, 1 }), 1.0));
        Assert.Equal("model", e.ModulePath);
        Assert.Contains("call()", e.Message);
    }
}
