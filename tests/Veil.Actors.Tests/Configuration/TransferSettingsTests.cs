using Veil.Actors.Configuration;
using Veil.DataLoading.PublicPrivate;
using Xunit;

namespace Veil.Actors.Tests.Configuration;

public class TransferSettingsTests
{
    [Fact]
    public void The_reference_has_no_public_split_and_a_random_start()
    {
        var t = TrainingSettings.Create(VeilConfiguration.Load());
        Assert.False(t.PublicSplit.Enabled);
        Assert.Null(t.PublicSplit.ToSplit());
        Assert.False(t.Initialisation.FromBackbone);
    }

    [Fact]
    public void Both_split_kinds_are_read_from_hocon()
    {
        var subset = TrainingSettings.Create(VeilConfiguration.Load(overrides: ["veil.public.split=subset", "veil.public.size=123", "veil.public.seed=9"]));
        Assert.Equal(new SubsetSplit(123, 9), subset.PublicSplit.ToSplit());
        var classes = TrainingSettings.Create(VeilConfiguration.Load(overrides: ["veil.public.split=classes", "veil.public.classes=[0,2,4]"]));
        Assert.Equal([0, 2, 4], ((ClassSplit)classes.PublicSplit.ToSplit()!).PublicClasses);
    }

    [Theory]
    [InlineData("veil.public.split=classes", "veil.public.classes")]
    [InlineData("veil.public.classes=[1,2]", "veil.public.split")]
    [InlineData("veil.public.split=halves", "veil.public.split")]
    [InlineData("veil.init.trainable=last-layer", "veil.init.from")]
    [InlineData("veil.init.trainable=some", "veil.init.trainable")]
    public void A_bad_transfer_setting_names_its_key(string assignment, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => TrainingSettings.Create(VeilConfiguration.Load(overrides: [assignment])));
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void Every_transfer_recipe_loads()
    {
        var root = AppContext.BaseDirectory;
        while (!Directory.Exists(Path.Combine(root, "hocon"))) root = Path.GetDirectoryName(root)!;
        var recipes = Directory.GetFiles(Path.Combine(root, "hocon"), "fmnist-pretrain-*.conf")
            .Concat(Directory.GetFiles(Path.Combine(root, "hocon"), "fmnist-transfer-*.conf")).ToList();
        Assert.True(recipes.Count >= 8, $"found only {recipes.Count} transfer recipes");
        foreach (var recipe in recipes)
        {
            var c = VeilConfiguration.Load(recipe);
            var t = TrainingSettings.Create(c);
            PretrainSettings.Create(c);
            Assert.True(t.PublicSplit.Enabled, recipe);
        }
    }
}
