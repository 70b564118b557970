using Veil.Actors.Configuration;
using Xunit;

namespace Veil.Actors.Tests.Configuration;

public class VeilConfigurationTests
{
    [Fact]
    public void Reference_configuration_gives_valid_privacy_settings()
    {
        var settings = PrivacySettings.Create(VeilConfiguration.Load());
        Assert.Equal("ledger", settings.Accountant);
        Assert.True(settings.BudgetEpsilon > 0);
        Assert.InRange(settings.BudgetDelta, 1e-12, 1e-3);
    }

    [Fact]
    public void Set_overrides_the_reference()
    {
        var settings = PrivacySettings.Create(VeilConfiguration.Load(overrides: ["veil.privacy.budget.epsilon=3.5"]));
        Assert.Equal(3.5, settings.BudgetEpsilon);
    }

    [Fact]
    public void A_misspelt_key_is_an_error_that_suggests_the_valid_one()
    {
        var e = Assert.Throws<ConfigurationException>(() => VeilConfiguration.Load(overrides: ["veil.privacy.budget.epsilom=3"]));
        Assert.Contains("veil.privacy.budget.epsilom", e.Message);
        Assert.Contains("did you mean veil.privacy.budget.epsilon", e.Message);
    }

    [Fact]
    public void A_misspelt_key_in_a_file_names_the_file()
    {
        var file = Path.Combine(Path.GetTempPath(), $"veil-{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, "veil { privacy { acountant = pld } }");
        try
        {
            var e = Assert.Throws<ConfigurationException>(() => VeilConfiguration.Load(file));
            Assert.Contains(file, e.Message);
            Assert.Contains("veil.privacy.accountant", e.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("veil.privacy.budget.delta=2", "veil.privacy.budget.delta")]
    [InlineData("veil.privacy.budget.epsilon=lots", "veil.privacy.budget.epsilon")]
    [InlineData("veil.privacy.accountant=moments", "veil.privacy.accountant")]
    [InlineData("veil.privacy.ledger.backend=mysql", "veil.privacy.ledger.backend")]
    public void A_bad_value_names_its_key_and_the_valid_range(string assignment, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => PrivacySettings.Create(VeilConfiguration.Load(overrides: [assignment])));
        Assert.Contains(key, e.Message);
        Assert.Contains("expected", e.Message);
    }

    [Fact]
    public void A_missing_file_is_named() =>
        Assert.Contains("/nonexistent/recipe.conf", Assert.Throws<ConfigurationException>(() => VeilConfiguration.Load("/nonexistent/recipe.conf")).Message);

    [Fact]
    public void Reference_configuration_gives_valid_training_settings()
    {
        var settings = TrainingSettings.Create(VeilConfiguration.Load());
        Assert.Equal("tanh-cnn", settings.Model);
        Assert.Equal(["cpu"], settings.Runtime.Devices);
        Assert.Equal(0UL, settings.Seed);
    }

    [Fact]
    public void Zero_workers_per_device_means_one_per_core_on_the_cpu_and_one_per_accelerator()
    {
        TrainingSettings With(params string[] overrides) => TrainingSettings.Create(VeilConfiguration.Load(overrides: overrides));
        Assert.Equal(1, With().Runtime.WorkersPerDevice);
        Assert.Equal(Environment.ProcessorCount, With("veil.runtime.workers-per-device=0").Runtime.WorkersPerDevice);
        Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2), With("veil.runtime.workers-per-device=0", "veil.runtime.devices=[cpu, cpu]").Runtime.WorkersPerDevice);
        Assert.Equal(1, With("veil.runtime.workers-per-device=0", "veil.runtime.devices=[\"cuda:0\"]").Runtime.WorkersPerDevice);
        Assert.Equal(3, With("veil.runtime.workers-per-device=3").Runtime.WorkersPerDevice);
        Assert.Equal(Environment.ProcessorCount, TrainingSettings.Create(VeilConfiguration.Load(embeddedRecipe: "demo")).Runtime.WorkersPerDevice);
    }

    [Theory]
    [InlineData("veil.runtime.workers-per-device=-1", "veil.runtime.workers-per-device")]
    [InlineData("veil.dp.expected-batch-size=0", "veil.dp.expected-batch-size")]
    [InlineData("veil.optimizer.momentum=1.5", "veil.optimizer.momentum")]
    [InlineData("veil.model.name=resnet9000", "veil.model.name")]
    [InlineData("veil.run.seed=-3", "veil.run.seed")]
    [InlineData("veil.runtime.devices=[]", "veil.runtime.devices")]
    [InlineData("veil.data.source=/data/train", "veil.data.test-source")]
    [InlineData("veil.data.on-corrupt=ignore", "veil.data.on-corrupt")]
    [InlineData("veil.data.source=fashion-mnist", "veil.data.source")]
    [InlineData("veil.data.multiplicity=0", "veil.data.multiplicity")]
    [InlineData("veil.data.multiplicity=2", "veil.data.multiplicity")]
    [InlineData("veil.data.augment.flip=true", "veil.data.augment.flip")]
    [InlineData("veil.data.augment.crop-padding=-1", "veil.data.augment.crop-padding")]
    [InlineData("veil.model.weight-standardisation=sometimes", "veil.model.weight-standardisation")]
    [InlineData("veil.model.weight-standardisation=on", "veil.model.weight-standardisation")] // tanh-cnn, the reference model, has no standardised form
    public void A_bad_training_value_names_its_key(string assignment, string key) =>
        Assert.Contains(key, Assert.Throws<ConfigurationException>(() => TrainingSettings.Create(VeilConfiguration.Load(overrides: [assignment]))).Message);

    [Fact]
    public void Weight_standardisation_is_off_by_default_and_read_for_the_GroupNorm_ResNets()
    {
        Assert.False(TrainingSettings.Create(VeilConfiguration.Load()).WeightStandardisation);
        var on = TrainingSettings.Create(VeilConfiguration.Load(overrides: ["veil.model.name=resnet18-gn-32", "veil.model.weight-standardisation=on"]));
        Assert.True(on.WeightStandardisation);
        Assert.NotEqual(on.Model, on.ModelIdentity); // a cluster node built without it is told apart
        var off = TrainingSettings.Create(VeilConfiguration.Load(overrides: ["veil.model.name=wrn16-4", "veil.model.weight-standardisation=off"]));
        Assert.False(off.WeightStandardisation);
        Assert.Equal(off.Model, off.ModelIdentity);
    }
}
