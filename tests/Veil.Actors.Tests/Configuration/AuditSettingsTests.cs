using Veil.Actors.Configuration;
using Xunit;

namespace Veil.Actors.Tests.Configuration;

public class AuditSettingsTests
{
    [Fact]
    public void The_reference_defaults_are_read_into_the_typed_record() =>
        Assert.Equal(new AuditSettings(1000, 100, 100, 0.05, 1), AuditSettings.Create(VeilConfiguration.Load()));

    [Fact]
    public void Seed_zero_draws_a_nonzero_seed_to_report() =>
        Assert.NotEqual(0UL, AuditSettings.Create(VeilConfiguration.Load(overrides: ["veil.audit.seed=0"])).Seed);

    [Fact]
    public void No_guesses_at_all_is_refused_naming_both_keys()
    {
        var e = Assert.Throws<ConfigurationException>(() => AuditSettings.Create(VeilConfiguration.Load(overrides: ["veil.audit.guesses-in=0", "veil.audit.guesses-out=0"])));
        Assert.Contains("veil.audit.guesses-in", e.Message);
        Assert.Contains("veil.audit.guesses-out", e.Message);
    }

    [Fact]
    public void A_fractional_canary_count_is_refused_naming_the_key() =>
        Assert.Contains("veil.audit.canaries", Assert.Throws<ConfigurationException>(() => AuditSettings.Create(VeilConfiguration.Load(overrides: ["veil.audit.canaries=10.5"]))).Message);
}
