using Veil.Actors.Configuration;
using Xunit;

namespace Veil.Actors.Tests.Configuration;

public class ClusterSettingsTests
{
    private static ClusterSettings Read(params string[] overrides) => ClusterSettings.Create(VeilConfiguration.Load(overrides: overrides));

    [Fact]
    public void The_reference_is_a_single_coordinator_on_loopback_with_chunks_below_the_frame_size()
    {
        var s = Read();
        Assert.False(s.Enabled);
        Assert.Equal(["coordinator"], s.Roles);
        Assert.Equal("127.0.0.1", s.Hostname);
        Assert.True(s.ChunkBytes + 4096 <= s.MaximumFrameBytes);
    }

    [Fact]
    public void Chunks_that_would_not_fit_a_frame_are_refused_naming_both_keys()
    {
        var error = Assert.Throws<ConfigurationException>(() => Read("veil.cluster.chunk-bytes=4194304"));
        Assert.Contains("veil.cluster.chunk-bytes", error.Message);
        Assert.Contains("veil.cluster.maximum-frame-bytes", error.Message);
    }

    [Fact]
    public void An_unknown_role_or_a_seed_that_is_not_an_akka_address_is_refused()
    {
        Assert.Contains("\"gpu\"", Assert.Throws<ConfigurationException>(() => Read("veil.cluster.roles=[worker, gpu]")).Message);
        Assert.Contains("akka.tcp://veil@", Assert.Throws<ConfigurationException>(() => Read("veil.cluster.seed-nodes=[\"127.0.0.1:4053\"]")).Message);
    }

    [Fact]
    public void The_reduction_fan_in_is_two_by_default_and_one_below_one_is_refused_naming_the_key()
    {
        Assert.Equal(2, Read().ReductionFanIn);
        Assert.Equal(4, Read("veil.cluster.reduction-fan-in=4").ReductionFanIn);
        Assert.Contains("veil.cluster.reduction-fan-in", Assert.Throws<ConfigurationException>(() => Read("veil.cluster.reduction-fan-in=0")).Message);
    }
}
