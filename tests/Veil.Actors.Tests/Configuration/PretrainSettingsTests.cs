using Veil.Actors.Configuration;
using Xunit;

namespace Veil.Actors.Tests.Configuration;

public class PretrainSettingsTests
{
    [Fact]
    public void The_reference_pretrains_without_augmentation()
    {
        var p = PretrainSettings.Create(VeilConfiguration.Load());
        Assert.Equal(PretrainAugmentation.None, p.Augmentation);
        Assert.False(p.Augmentation.Enabled);
        Assert.Equal(0, p.ValidationExamples);
    }

    [Fact]
    public void Augmentation_is_read_from_hocon()
    {
        var p = PretrainSettings.Create(VeilConfiguration.Load(overrides: ["veil.pretrain.augment.flip=true", "veil.pretrain.augment.crop-padding=2"]));
        Assert.Equal(new PretrainAugmentation(Flip: true, CropPadding: 2), p.Augmentation);
        Assert.True(p.Augmentation.Enabled);
    }

    [Theory]
    [InlineData("veil.pretrain.augment.crop-padding=9", "veil.pretrain.augment.crop-padding")]
    [InlineData("veil.pretrain.augment.crop-padding=-1", "veil.pretrain.augment.crop-padding")]
    [InlineData("veil.pretrain.augment.crop-padding=1.5", "veil.pretrain.augment.crop-padding")]
    [InlineData("veil.pretrain.augment.flip=sometimes", "veil.pretrain.augment.flip")]
    [InlineData("veil.pretrain.validation-examples=-5", "veil.pretrain.validation-examples")]
    public void A_bad_augmentation_value_names_its_key(string assignment, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => PretrainSettings.Create(VeilConfiguration.Load(overrides: [assignment])));
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void An_unknown_augmentation_key_is_refused_naming_it()
    {
        var e = Assert.Throws<ConfigurationException>(() => VeilConfiguration.Load(overrides: ["veil.pretrain.augment.padding=2"]));
        Assert.Contains("veil.pretrain.augment.padding", e.Message);
        Assert.Contains("veil.pretrain.augment.crop-padding", e.Message);
    }
}
