using Veil.Actors.Cluster.Hosting;
using Veil.Actors.Configuration;
using Xunit;

namespace Veil.Actors.Tests.Configuration;

public class ClusterModeLimitsTests
{
    private static void Check(params string[] overrides) =>
        ClusterModeLimits.Check(VeilConfiguration.Load(overrides: ["veil.cluster.enabled = true", .. overrides]));

    [Fact]
    public void Plain_dp_sgd_is_accepted_in_cluster_mode() => Check();

    [Fact]
    public void A_last_layer_fit_is_refused_naming_the_key()
    {
        var error = Assert.Throws<ConfigurationException>(() => Check("veil.mode = last-layer"));
        Assert.Contains("veil.mode", error.Message);
        Assert.Contains("veil.cluster.enabled = false", error.Message);
    }

    [Theory]
    [InlineData("veil.init.from = \"runs/x/backbone\"")]
    [InlineData("veil.public.split = subset")]
    [InlineData("veil.public.split = classes")]
    public void Fine_tuning_and_public_private_splits_are_accepted_because_every_node_builds_the_coordinators_replica(string setting) => Check(setting);
}
