using TorchSharp;
using Veil.Compute.Models;
using Veil.Compute.PerExample;
using Veil.Compute.Runtime;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.PerExample;

public sealed class PerExampleValidatorTests
{
    public PerExampleValidatorTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void A_model_with_BatchNorm2d_is_refused_naming_its_path_and_the_fix()
    {
        using var model = nn.Sequential(
            ("features", nn.Sequential(("conv", nn.Conv2d(1, 4, 3)), ("bn", nn.BatchNorm2d(4)))),
            ("head", nn.Flatten()));
        var e = Assert.Throws<UnsupportedModuleException>(() => PerExampleValidator.Validate(model));
        Assert.Equal("model.features.bn", e.ModulePath);
        Assert.Contains("BatchNorm2d", e.Message);
        Assert.Contains("mixes examples", e.Message);
        Assert.Contains("GroupNorm", e.Message);
    }

    [Fact]
    public void A_trainable_layer_without_a_rule_is_refused_with_how_to_add_one()
    {
        using var model = nn.Sequential(("fc", nn.Linear(4, 4)), ("act", nn.PReLU(1)));
        var e = Assert.Throws<UnsupportedModuleException>(() => PerExampleValidator.Validate(model));
        Assert.Equal("model.act", e.ModulePath);
        Assert.Contains("PerExampleRules.Table", e.Message);
        Assert.Contains("veil.dp.unsupported = naive", e.Message);
    }

    [Fact]
    public void Under_the_naive_policy_a_layer_without_a_rule_is_handed_to_the_fallback()
    {
        using var model = nn.Sequential(("fc", nn.Linear(4, 4)), ("act", nn.PReLU(1)));
        Assert.Equal(new[] { "act" }, PerExampleValidator.Validate(model, UnsupportedModulePolicy.Naive));
    }

    [Fact]
    public void BatchNorm_is_refused_even_under_the_naive_policy()
    {
        using var model = nn.Sequential(("conv", nn.Conv2d(1, 4, 3)), ("bn", nn.BatchNorm2d(4)));
        var e = Assert.Throws<UnsupportedModuleException>(() => PerExampleValidator.Validate(model, UnsupportedModulePolicy.Naive));
        Assert.Equal("model.bn", e.ModulePath);
    }

    [Fact]
    public void A_ResNet_block_with_BatchNorm_is_refused_at_its_path()
    {
        using var model = nn.Sequential(("layer2", nn.Sequential(("0", nn.Sequential(("conv1", nn.Conv2d(3, 4, 3)), ("bn1", nn.BatchNorm2d(4)))))));
        var e = Assert.Throws<UnsupportedModuleException>(() => PerExampleValidator.Validate(model));
        Assert.Equal("model.layer2.0.bn1 is BatchNorm2d: it mixes examples (batch statistics), so one example's gradient depends on the others; use GroupNorm", e.Message);
    }

    [Fact]
    public void A_circular_padded_convolution_is_refused_by_its_rule()
    {
        using var model = nn.Sequential(("conv", nn.Conv2d(4, 4, 3, padding: 1, padding_mode: PaddingModes.Circular)));
        var e = Assert.Throws<UnsupportedModuleException>(() => PerExampleValidator.Validate(model));
        Assert.Contains("padding mode", e.Message);
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("tanh-cnn")]
    [InlineData("resnet18-gn-32")]
    [InlineData("wrn16-4")]
    [InlineData("scatternet-linear")]
    [InlineData("scatternet-cnn")]
    public void The_catalog_models_are_accepted(string name)
    {
        using var model = ModelCatalog.Create(name, seed: 1);
        PerExampleValidator.Validate(model);
    }
}
