using Akka.Actor;
using Akka.TestKit.Xunit2;
using Veil.Actors.Cluster.Coordination;
using Veil.Actors.Cluster.Nodes;
using Veil.Actors.Cluster.Transport;
using Xunit;

namespace Veil.Actors.Tests.Cluster;

/// <summary>The shape of the reduction tree, and its messages on the wire.</summary>
public class ReductionTreeTests : TestKit
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    public void Every_node_but_the_root_has_one_parent_whose_children_include_it_and_the_depth_is_logarithmic(int nodes)
    {
        var depth = new int[nodes];
        for (var i = 0; i < nodes; i++)
        {
            var parent = ReductionTree.ParentOf(i);
            Assert.Equal(i == 0, parent < 0);
            if (parent >= 0)
            {
                Assert.Contains(i, ReductionTree.ChildrenOf(parent, nodes));
                depth[i] = depth[parent] + 1;
            }
            Assert.All(ReductionTree.ChildrenOf(i, nodes), c => Assert.Equal(i, ReductionTree.ParentOf(c)));
            Assert.True(ReductionTree.ChildrenOf(i, nodes).Length <= ReductionTree.FanIn);
        }
        Assert.Equal(nodes - 1, Enumerable.Range(0, nodes).Sum(i => ReductionTree.ChildrenOf(i, nodes).Length)); // a tree: n − 1 edges
        Assert.True(depth.Max() <= Math.Ceiling(Math.Log2(nodes + 1)));
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(3, 13)]
    [InlineData(4, 64)]
    public void With_fan_in_k_every_node_has_at_most_k_children_and_every_node_but_the_root_one_parent(int fanIn, int nodes)
    {
        var depth = new int[nodes];
        for (var i = 1; i < nodes; i++)
        {
            var parent = ReductionTree.ParentOf(i, fanIn);
            Assert.Contains(i, ReductionTree.ChildrenOf(parent, nodes, fanIn));
            depth[i] = depth[parent] + 1;
        }
        Assert.All(Enumerable.Range(0, nodes), i => Assert.True(ReductionTree.ChildrenOf(i, nodes, fanIn).Length <= fanIn));
        Assert.Equal(nodes - 1, Enumerable.Range(0, nodes).Sum(i => ReductionTree.ChildrenOf(i, nodes, fanIn).Length));
        Assert.Equal(CompleteTreeDepth(fanIn, nodes), depth.Max());
    }

    // The depth of a complete k-ary tree of n nodes: the fewest levels below the root that hold them all.
    private static int CompleteTreeDepth(int fanIn, int nodes)
    {
        var (depth, held, level) = (0, 1L, 1L);
        while (held < nodes)
        {
            level *= fanIn;
            held += level;
            depth++;
        }
        return depth;
    }

    [Fact]
    public void A_tree_and_a_reduced_sum_cross_the_wire_unchanged()
    {
        var parent = CreateTestProbe().Ref;
        var children = new[] { CreateTestProbe().Ref, CreateTestProbe().Ref };
        var tree = new NodeAgentActor.Tree(7, 2, 7, Guid.NewGuid(), parent, children, [3, 9], SumChunks: 3);
        var (manifest, bytes) = ClusterWireFormat.Encode(tree);
        var read = Assert.IsType<NodeAgentActor.Tree>(ClusterWireFormat.Decode(manifest, bytes, ((ExtendedActorSystem)Sys).Provider.ResolveActorRef));
        Assert.Equal((tree.Step, tree.Epoch, tree.Version, tree.ParametersTransfer), (read.Step, read.Epoch, read.Version, read.ParametersTransfer));
        Assert.Equal(parent, read.Parent);
        Assert.Equal(children, read.Children);
        Assert.Equal(tree.Assignments, read.Assignments);
        Assert.Equal(3, read.SumChunks);
        var slice = SumChunk.Of(7, 2, tree.ParametersTransfer, 1, 3, 5, [1.5f, -2f]);
        var (sliceKind, sliceBytes) = ClusterWireFormat.Encode(slice);
        var sliceBack = Assert.IsType<SumChunk>(ClusterWireFormat.Decode(sliceKind, sliceBytes));
        Assert.Equal((slice.Step, slice.Epoch, slice.Tree, slice.Index, slice.Count, slice.Coordinates),
            (sliceBack.Step, sliceBack.Epoch, sliceBack.Tree, sliceBack.Index, sliceBack.Count, sliceBack.Coordinates));
        Assert.Equal(slice.Values, sliceBack.Values);
        sliceBack.Verify();
        Assert.Throws<InvalidOperationException>(() => ClusterWireFormat.Decode(manifest, bytes)); // actors need a resolver

        var sum = new WorkDispatcherActor.ShardSum(
            7, 2, Guid.NewGuid(), [4, 1, 9], [1.5f, -2.25f, float.Epsilon], 33, 12.5, 4, new NodeTimes(0.01, 0.2, 0.03, 0.15));
        var (kind, encoded) = ClusterWireFormat.Encode(sum);
        var back = Assert.IsType<WorkDispatcherActor.ShardSum>(ClusterWireFormat.Decode(kind, encoded));
        Assert.Equal(sum.Tree, back.Tree);
        Assert.Equal((sum.Step, sum.Epoch, sum.Examples, sum.LossSum, sum.ClippedExamples, sum.Times), (back.Step, back.Epoch, back.Examples, back.LossSum,
            back.ClippedExamples, back.Times));
        Assert.Equal(sum.Shards, back.Shards);
        Assert.Equal(sum.Sum, back.Sum);
        Assert.Equal(2, ((WorkDispatcherActor.ShardSum)ClusterWireFormat.Decode(kind, ClusterWireFormat.Encode(sum with { SumChunks = 2 }).Bytes)).SumChunks);
        Assert.Throws<CorruptTransferException>(() => ClusterWireFormat.Decode(kind, encoded[..^4]));

        var prefetch = new NodeAgentActor.Prefetch(8, [new(new(8, 0), [5, 6]), new(new(8, 1), [9])]);
        var (hint, hintBytes) = ClusterWireFormat.Encode(prefetch);
        var hinted = Assert.IsType<NodeAgentActor.Prefetch>(ClusterWireFormat.Decode(hint, hintBytes));
        Assert.Equal(8, hinted.Step);
        Assert.Equal(prefetch.Shards.Select(s => (s.Id, string.Join(',', s.Indices))), hinted.Shards.Select(s => (s.Id, string.Join(',', s.Indices))));
    }
}
