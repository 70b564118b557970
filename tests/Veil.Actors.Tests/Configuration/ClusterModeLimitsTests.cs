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

    [Theory]
    [InlineData("veil.mode = last-layer", "veil.mode")]
    [InlineData("veil.init.from = \"runs/x/backbone\"", "veil.init.from")]
    [InlineData("veil.public.split = subset", "veil.public.split")]
    public void Runs_whose_worker_replicas_would_differ_from_the_coordinators_are_refused_naming_the_key(string setting, string key)
    {
        var error = Assert.Throws<ConfigurationException>(() => Check(setting));
        Assert.Contains(key, error.Message);
        Assert.Contains("veil.cluster.enabled = false", error.Message);
    }
}
