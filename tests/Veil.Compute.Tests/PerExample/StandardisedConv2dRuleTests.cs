using TorchSharp;
using Veil.Compute.Models;
using Veil.Compute.PerExample;
using Veil.Compute.Runtime;
using Veil.Compute.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.PerExample;

/// <summary>
/// The weight-standardised convolution's materialised per-example gradients (the raw weight's, pulled back through the
/// standardisation) against the one-example-at-a-time loop. Its norms and clipped sums are in <see cref="PerExampleRuleTests"/>'s cases.
/// </summary>
public sealed class StandardisedConv2dRuleTests
{
    public StandardisedConv2dRuleTests() => TorchRuntime.EnsureLoaded();

    public static TheoryData<long, long, long, long, long, long, bool, int> Shapes => new()
    {
        // in, out, kernel, stride, padding, dilation... groups, bias, multiplicity
        { 3, 4, 3, 2, 1, 1, true, 1 },
        { 2, 3, 3, 1, 0, 2, false, 1 },
        { 4, 6, 3, 1, 1, 1, true, 2 },   // groups 2 (below), two augmentations per example
        { 1, 3, 4, 2, 2, 1, false, 1 },  // one input channel: the grouped-convolution per-row path
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Materialised_raw_weight_gradients_equal_the_naive_loops(long inputs, long outputs, long kernel, long stride, long padding, long dilation,
        bool bias, int multiplicity)
    {
        long groups = inputs == 4 ? 2 : 1;
        using var model = new Chain(("conv", new StandardisedConv2d(inputs, outputs, kernel, stride, padding, dilation, groups, bias)), ("act", nn.Tanh()),
            ("pool", nn.AdaptiveAvgPool2d(2)), ("flat", nn.Flatten()), ("fc", nn.Linear(outputs * 4, 3)));
        model.to(ScalarType.Float64);
        using var scope = NewDisposeScope();
        var g = manual_seed(31);
        foreach (long batch in new long[] { 1, 4 })
        {
            var x = randn(new[] { batch * multiplicity, inputs, 9, 9 }, dtype: ScalarType.Float64, generator: g);
            var y = randint(3, new[] { batch }, dtype: ScalarType.Int64, generator: g).repeat_interleave(multiplicity);
            var expected = NaivePerExampleGradients.Compute(model, x, y, multiplicity);
            var actual = PerExampleGradients.Compute(model, x, y, multiplicity).Flat();
            double scale = expected.abs().max().item<double>();
            double error = (expected - actual).abs().max().item<double>();
            Assert.True(error <= 1e-5 * scale, $"B={batch}: max error {error:g3} against scale {scale:g3}");
            Assert.True(scale > 1e-6, "the reference gradients are not trivially zero");
        }
    }

    [Fact]
    public void The_rule_covers_the_standardised_convolution_and_is_its_own()
    {
        Assert.IsType<StandardisedConv2dRule>(PerExampleRules.Table[typeof(StandardisedConv2d)]);
        using var model = new Chain(("conv", new StandardisedConv2d(2, 3, 3)), ("flat", nn.Flatten()), ("fc", nn.Linear(3, 2)));
        Assert.Empty(PerExampleValidator.Validate(model, UnsupportedModulePolicy.Refuse));
    }
}
