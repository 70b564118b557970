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
        using var model = nn.Sequential(("fc", nn.Linear(4, 4)), ("norm", nn.LayerNorm(4)));
        var e = Assert.Throws<UnsupportedModuleException>(() => PerExampleValidator.Validate(model));
        Assert.Equal("model.norm", e.ModulePath);
        Assert.Contains("PerExampleRules.Table", e.Message);
    }

    [Fact]
    public void A_grouped_convolution_is_refused_by_its_rule()
    {
        using var model = nn.Sequential(("conv", nn.Conv2d(4, 4, 3, groups: 2)));
        var e = Assert.Throws<UnsupportedModuleException>(() => PerExampleValidator.Validate(model));
        Assert.Contains("groups=2", e.Message);
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("tanh-cnn")]
    public void The_catalog_models_are_accepted(string name)
    {
        using var model = ModelCatalog.Create(name, seed: 1);
        PerExampleValidator.Validate(model);
    }
}
