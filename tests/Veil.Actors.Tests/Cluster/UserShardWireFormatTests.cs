using Veil.Actors.Cluster.Nodes;
using Veil.Actors.Cluster.Transport;
using Veil.DataLoading.Batching;
using Veil.Ledger.Plan;
using Xunit;

namespace Veil.Actors.Tests.Cluster;

/// <summary>A user-level run on a cluster: a shard carries which user each of its examples belongs to, and the plan its unit.</summary>
public class UserShardWireFormatTests
{
    [Fact]
    public void A_shard_carries_its_examples_owners_and_an_example_level_shard_none()
    {
        var assign = new NodeAgentActor.Assign(3, 7, 2,
        [
            new MicroBatchSpec(new MicroBatchId(3, 0), [4, 5, 9, 12, 13], [0, 0, 1, 2, 2]),
            new MicroBatchSpec(new MicroBatchId(3, 1), [20, 21]),
        ]);
        var (manifest, bytes) = ClusterWireFormat.Encode(assign);
        var read = Assert.IsType<NodeAgentActor.Assign>(ClusterWireFormat.Decode(manifest, bytes));
        Assert.Equal([0, 0, 1, 2, 2], read.Shards[0].Owners!);
        Assert.Equal([4, 5, 9, 12, 13], read.Shards[0].Indices);
        Assert.Null(read.Shards[1].Owners);
    }

    [Fact]
    public void A_hello_carries_a_user_level_plan_whole()
    {
        var plan = new DpPlan(1000.0 / 6000, 2.9463, 0.1, 120, 1e-5, new string('f', 64), 6000, PrivacyUnit.User, 10);
        var (manifest, bytes) = ClusterWireFormat.Encode(new NodeAgentActor.Hello(plan, "run-1", "tanh-cnn"));
        var read = Assert.IsType<NodeAgentActor.Hello>(ClusterWireFormat.Decode(manifest, bytes));
        Assert.Equal((PrivacyUnit.User, 10), (read.Plan.Unit, read.Plan.ExamplesPerUser));
    }
}
