using System.Text;
using Veil.Actors.Cluster.Nodes;
using Veil.Actors.Cluster.Transport;
using Veil.Ledger.Plan;
using Xunit;

namespace Veil.Actors.Tests.Cluster;

/// <summary>The handshake carries the coordinator's whole plan, in the plan's one serialisation.</summary>
public class HelloWireFormatTests
{
    [Fact]
    public void A_hello_carries_the_whole_plan_across_the_wire()
    {
        var plan = new DpPlan(0.0341, 1.8069, 0.1, 997, 1e-5, new string('f', 64), 60000);
        var hello = new NodeAgentActor.Hello(plan, "run-1", "tanh-cnn", AugmentationSeed: 42);
        var (manifest, bytes) = ClusterWireFormat.Encode(hello);
        var read = Assert.IsType<NodeAgentActor.Hello>(ClusterWireFormat.Decode(manifest, bytes));
        Assert.Equal(plan, read.Plan);
        Assert.Equal(hello, read);
    }

    [Fact]
    public void A_hello_whose_plan_no_longer_agrees_with_its_step_event_is_refused_as_corrupt()
    {
        var plan = new DpPlan(0.0341, 1.8069, 0.1, 997, 1e-5, new string('f', 64), 60000);
        var (manifest, bytes) = ClusterWireFormat.Encode(new NodeAgentActor.Hello(plan, "run-1", "tanh-cnn"));
        var text = Encoding.Latin1.GetString(bytes);
        const string sigma = "\"noise_multiplier\":1.8069";
        var first = text.IndexOf(sigma, StringComparison.Ordinal); // the plan's own σ, not the one inside its step_event
        var altered = Encoding.Latin1.GetBytes(text[..first] + "\"noise_multiplier\":9.8069" + text[(first + sigma.Length)..]);
        Assert.False(altered.AsSpan().SequenceEqual(bytes));
        Assert.Equal(bytes.Length, altered.Length);
        Assert.Throws<CorruptTransferException>(() => ClusterWireFormat.Decode(manifest, altered));
    }
}
