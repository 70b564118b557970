using TorchSharp;
using TorchSharp.Modules;
using Veil.Compute.Clipping;
using Veil.Compute.Models;
using Veil.Compute.Parameters;
using Veil.Compute.PerExample;
using Veil.Compute.Runtime;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.Models;

public sealed class ResNetModelTests
{
    public ResNetModelTests() => TorchRuntime.EnsureLoaded();

    [Theory]
    [InlineData("resnet18-gn-32")]
    [InlineData("wrn16-4")]
    public void GroupNorm_starts_at_weight_one_and_bias_zero(string name)
    {
        using var model = ModelCatalog.Create(name, seed: 1);
        var norms = model.named_modules().Where(m => m.module is GroupNorm).Select(m => (GroupNorm)m.module).ToList();
        Assert.NotEmpty(norms);
        Assert.All(norms, n =>
        {
            Assert.True(n.weight!.eq(1).all().item<bool>());
            Assert.True(n.bias!.eq(0).all().item<bool>());
        });
        Assert.All(new[] { GroupNorms.Create(4, 8) }, n => Assert.True(n.weight!.eq(1).all().item<bool>() && n.bias!.eq(0).all().item<bool>()));
    }

    [Theory]
    [InlineData("resnet18-gn", 11_689_512L, 11_689_512L)]  // torchvision's ResNet-18: GroupNorm has as many parameters as BatchNorm
    [InlineData("resnet18-gn-32", 11_173_962L, 11_173_962L)] // 3×3 stem (1,728 not 9,408 weights) and a 10-way head (5,130 not 513,000)
    [InlineData("wrn16-4", 2_700_000L, 2_800_000L)]     // "2.7M" in Zagoruyko & Komodakis (2016)
    public void The_catalog_models_have_the_published_sizes(string name, long least, long most)
    {
        using var model = ModelCatalog.Create(name, seed: 1);
        Assert.InRange(ParameterLayout.Of(model).TotalCount, least, most);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // weight-standardised: every convolution's raw-weight gradients pulled back through the standardisation
    public void A_whole_ResNet18_GN_gives_the_naive_loops_per_example_norms_and_clipped_sum(bool weightStandardisation)
    {
        using var model = ModelCatalog.Create("resnet18-gn-32", seed: 2, weightStandardisation: weightStandardisation);
        Assert.Equal(weightStandardisation ? 20 : 0, model.modules().OfType<StandardisedConv2d>().Count()); // stem, 16 block convolutions, 3 shortcuts
        using var scope = NewDisposeScope();
        var g = manual_seed(4);
        var x = randn(new long[] { 2, 3, 32, 32 }, generator: g);
        var y = tensor(new long[] { 3, 7 });
        var rows = NaivePerExampleGradients.Compute(model, x, y).to_type(ScalarType.Float64);
        var norms = rows.square().sum(1L).sqrt();
        double clipNorm = norms.min().item<double>() * 1.01; // one example clipped, one not
        var expected = ((norms.clamp_min(clipNorm).reciprocal() * clipNorm).unsqueeze(1) * rows).sum(0L);
        var (sum, fastNorms, _) = BookkeepingClipping.Compute(model, x, y, clipNorm);
        var methods = BookkeepingClipping.Methods(model, x, y).Select(m => m.Method).ToHashSet();
        Assert.Equal(new HashSet<string> { "ghost", "materialise" }, methods); // the cost model mixes both in one network
        double normError = (fastNorms.to_type(ScalarType.Float64) - norms).abs().max().item<double>() / norms.max().item<double>();
        Assert.True(normError <= 1e-5, $"relative norm error {normError:g3}");
        double scale = expected.abs().max().item<double>();
        double sumError = (sum.to_type(ScalarType.Float64) - expected).abs().max().item<double>();
        Assert.True(sumError <= 1e-5 * scale, $"clipped sum error {sumError:g3} against scale {scale:g3}");
    }

    [Theory]
    [InlineData("resnet18-gn-32")]
    [InlineData("wrn16-4")]
    public void A_weight_standardised_model_has_the_plain_models_parameters_and_initial_weights_but_its_own_outputs(string name)
    {
        using var plain = ModelCatalog.Create(name, seed: 3);
        using var standardised = ModelCatalog.Create(name, seed: 3, weightStandardisation: true);
        Assert.Equal(ParameterLayout.Of(plain).Fingerprint, ParameterLayout.Of(standardised).Fingerprint); // checkpoints and saved weights load either way
        Assert.Equal(ParameterVector.Flatten(plain), ParameterVector.Flatten(standardised));
        using var scope = NewDisposeScope();
        var x = randn(new long[] { 2, 3, 32, 32 }, generator: manual_seed(5));
        using var _ = no_grad();
        Assert.False(plain.call(x).allclose(standardised.call(x), rtol: 1e-3, atol: 1e-3));
        ParameterVector.Load(standardised, ParameterVector.Flatten(standardised)); // a round trip through the flat vector changes nothing
        Assert.Equal(ParameterVector.Flatten(plain), ParameterVector.Flatten(standardised));
    }

    [Fact]
    public void A_model_without_a_weight_standardised_form_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelCatalog.Create("gn-cnn", seed: 1, weightStandardisation: true));
        Assert.Contains("gn-cnn", e.Message);
        Assert.Contains("resnet18-gn-32", e.Message);
    }
}
