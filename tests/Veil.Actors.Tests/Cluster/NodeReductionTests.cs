using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Veil.Actors.Cluster.Coordination;
using Veil.Actors.Cluster.Nodes;
using Veil.Actors.Cluster.Transport;
using Veil.DataLoading.Batching;
using Xunit;

namespace Veil.Actors.Tests.Cluster;

/// <summary>A worker node's part in the reduction tree: children's sums added once, epochs, and the broadcast it forwards.</summary>
public class NodeReductionTests : TestKit
{
    private const string Fingerprint = "f1f1f1f1f1f1f1f1";
    private readonly ConcurrentQueue<string> _computed = new();

    private IActorRef ReadyAgent(TestProbe coordinator)
    {
        var agent = Sys.ActorOf(NodeAgentActor.Props(new NodeAgentSettings(Fingerprint, "mlp", _ => new IndexDecoder(),
            (_, _) => new IndexSumComputer(_computed, "node"), 1, 64)));
        agent.Tell(new NodeAgentActor.Hello(IndexSumComputer.Plan(Fingerprint), "run", "mlp"), coordinator);
        coordinator.ExpectMsg<WorkDispatcherActor.NodeReady>();
        return agent;
    }

    private static MicroBatchSpec Shard(long step, int index, params int[] examples) => new(new MicroBatchId(step, index), examples);

    private static void SendChunked(IActorRef to, object message, IActorRef from) =>
        TensorTransfer.Send(to, message, 16, from);

    private static WorkDispatcherActor.ShardSum ReceiveSum(TestProbe parent) => SumReceiver.ReceiveSum(parent);

    [Fact]
    public void A_node_adds_its_childrens_sums_to_its_own_and_sends_one_sum_to_its_parent_naming_every_shard()
    {
        var coordinator = CreateTestProbe();
        var parent = CreateTestProbe();
        var left = CreateTestProbe();
        var right = CreateTestProbe();
        var agent = ReadyAgent(coordinator);
        agent.Tell(new NodeAgentActor.Parameters(5, [0f, 0f]), coordinator);
        agent.Tell(new NodeAgentActor.Assign(5, 1, 5, [Shard(5, 0, 1, 2), Shard(5, 1, 3)]), coordinator);
        var tree = Guid.NewGuid();
        agent.Tell(new NodeAgentActor.Tree(5, 0, 5, tree, parent, [left, right], [1]), coordinator);
        SendChunked(agent, new WorkDispatcherActor.ShardSum(5, 0, tree, [2, 3], [100f, 4f], 4, 0, 0), left);
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // the right child's sum is still missing
        SendChunked(agent, new WorkDispatcherActor.ShardSum(5, 0, Guid.NewGuid(), [4], [7f, 1f], 1, 0, 0), right); // another coordinator's
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        SendChunked(agent, new WorkDispatcherActor.ShardSum(5, 0, tree, [4], [1000f, 1f], 1, 0, 0), right);

        var sum = ReceiveSum(parent);
        Assert.Equal((5L, 0, tree), (sum.Step, sum.Epoch, sum.Tree));
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, sum.Shards.Order());
        Assert.Equal(new float[] { 1 + 2 + 3 + 100 + 1000, 3 + 4 + 1 }, sum.Sum);
        Assert.Equal(8, sum.Examples);
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // once
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // a node that is not the root never sends to the coordinator
    }

    private static void SendSlices(IActorRef to, NodeAgentActor.Tree tree, float[] sum, IActorRef from, params int[] indices)
    {
        foreach (var i in indices)
        {
            var (start, length) = SumChunk.Range(i, tree.SumChunks, sum.Length);
            to.Tell(SumChunk.Of(tree.Step, tree.Epoch, tree.ParametersTransfer, i, tree.SumChunks, sum.Length, sum[start..(start + length)]), from);
        }
    }

    [Fact]
    public void A_node_adds_and_sends_on_slice_i_of_its_sum_as_soon_as_every_child_sent_its_slice_i()
    {
        var coordinator = CreateTestProbe();
        var parent = CreateTestProbe();
        var left = CreateTestProbe();
        var right = CreateTestProbe();
        var agent = ReadyAgent(coordinator);
        agent.Tell(new NodeAgentActor.Parameters(5, [0f, 0f]), coordinator);
        agent.Tell(new NodeAgentActor.Assign(5, 1, 5, [Shard(5, 0, 1, 2)]), coordinator); // own sum [1 + 2, 2]
        var tree = new NodeAgentActor.Tree(5, 0, 5, Guid.NewGuid(), parent, [left, right], [1], SumChunks: 2);
        agent.Tell(tree, coordinator);
        float[] fromLeft = [10f, 20f];
        float[] fromRight = [100f, 200f];
        SendSlices(agent, tree, fromLeft, left, 0, 1);
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // the right child's slice 0 is still missing
        SendSlices(agent, tree, fromRight, right, 0);

        var first = parent.ExpectMsg<SumChunk>(TimeSpan.FromSeconds(10)); // before the right child's slice 1 exists
        Assert.Equal((0, 2, 2), (first.Index, first.Count, first.Coordinates));
        Assert.Equal(new float[] { 3 + 10 + 100 }, first.Values);
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        SendSlices(agent, tree, fromRight, right, 1);
        var second = parent.ExpectMsg<SumChunk>(TimeSpan.FromSeconds(10));
        Assert.Equal(new float[] { 2 + 20 + 200 }, second.Values);
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // no header before every child's header
        SendChunked(agent, new WorkDispatcherActor.ShardSum(5, 0, tree.ParametersTransfer, [2, 3], [], 5, 0, 0, SumChunks: 2), left);
        SendChunked(agent, new WorkDispatcherActor.ShardSum(5, 0, tree.ParametersTransfer, [4], [], 7, 0, 0, SumChunks: 2), right);
        var inbox = new ChunkReassembler();
        WorkDispatcherActor.ShardSum? header = null;
        while (header is null) header = inbox.Accept(parent.ExpectMsg<TensorChunk>(TimeSpan.FromSeconds(10))) as WorkDispatcherActor.ShardSum;
        Assert.Equal(new[] { 0, 2, 3, 4 }, header.Shards.Order());
        Assert.Equal((2 + 5 + 7, 2), (header.Examples, header.SumChunks));
        Assert.Empty(header.Sum);
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // once
    }

    [Fact]
    public void A_node_without_work_of_its_own_waits_for_the_slices_its_childs_header_announces()
    {
        var coordinator = CreateTestProbe();
        var parent = CreateTestProbe();
        var child = CreateTestProbe();
        var agent = ReadyAgent(coordinator);
        var tree = new NodeAgentActor.Tree(6, 0, 6, Guid.NewGuid(), parent, [child], []);
        agent.Tell(tree, coordinator);
        SendChunked(agent, new WorkDispatcherActor.ShardSum(6, 0, tree.ParametersTransfer, [0], [], 2, 0, 0, SumChunks: 1), child);
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // its slice has not come: nothing, not an empty sum
        SendSlices(agent, tree, [5f, 2f], child, 0);
        var sum = ReceiveSum(parent);
        Assert.Equal(new float[] { 5f, 2f }, sum.Sum);
        Assert.Equal([0], sum.Shards);
    }

    [Fact]
    public void A_slice_whose_values_do_not_match_its_digest_is_never_added()
    {
        var coordinator = CreateTestProbe();
        var parent = CreateTestProbe();
        var child = CreateTestProbe();
        var agent = ReadyAgent(coordinator);
        agent.Tell(new NodeAgentActor.Parameters(5, [0f, 0f]), coordinator);
        agent.Tell(new NodeAgentActor.Assign(5, 1, 5, [Shard(5, 0, 1)]), coordinator);
        var tree = new NodeAgentActor.Tree(5, 0, 5, Guid.NewGuid(), parent, [child], [1]);
        agent.Tell(tree, coordinator);
        var slice = SumChunk.Of(5, 0, tree.ParametersTransfer, 0, 1, 2, [10f, 20f]);
        EventFilter.Exception<CorruptTransferException>().ExpectOne(() => agent.Tell(slice with { Values = [10f, 21f] }, child));
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void A_later_epoch_drops_the_children_sums_of_the_earlier_one_and_keeps_the_nodes_own_work()
    {
        var coordinator = CreateTestProbe();
        var parent = CreateTestProbe();
        var child = CreateTestProbe();
        var agent = ReadyAgent(coordinator);
        agent.Tell(new NodeAgentActor.Assign(2, 1, 2, [Shard(2, 0, 10)]), coordinator); // waits for version 2
        var tree0 = Guid.NewGuid();
        var tree1 = Guid.NewGuid();
        agent.Tell(new NodeAgentActor.Tree(2, 0, 2, tree0, parent, [child], [1]), coordinator);
        // The child's sum of epoch 0 holds its own shard 1 and shard 2 of its own child, which is then lost.
        SendChunked(agent, new WorkDispatcherActor.ShardSum(2, 0, tree0, [1, 2], [50f, 2f], 2, 0, 0), child);

        // Epoch 1: shard 2 comes to this node as a second assignment; the child stays its child.
        agent.Tell(new NodeAgentActor.Assign(2, 7, 2, [Shard(2, 2, 20)]), coordinator);
        agent.Tell(new NodeAgentActor.Tree(2, 1, 2, tree1, parent, [child], [1, 7]), coordinator);
        agent.Tell(new NodeAgentActor.Parameters(2, [0f, 0f]), coordinator);
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // the child's epoch-0 sum does not count for epoch 1
        SendChunked(agent, new WorkDispatcherActor.ShardSum(2, 1, tree1, [1], [30f, 1f], 1, 0, 0), child);
        var sum = ReceiveSum(parent);
        Assert.Equal((2L, 1), (sum.Step, sum.Epoch));
        Assert.Equal(new[] { 0, 1, 2 }, sum.Shards.Order()); // shard 2 once
        Assert.Equal(new float[] { 10 + 30 + 20, 3 }, sum.Sum);

        SendChunked(agent, new WorkDispatcherActor.ShardSum(2, 0, tree0, [1, 2], [50f, 2f], 2, 0, 0), child); // late, of epoch 0
        agent.Tell(new NodeAgentActor.Tree(2, 0, 2, Guid.NewGuid(), parent, [child], [1]), coordinator); // an older tree
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(new[] { "node:10", "node:20" }, _computed.Order()); // each own shard computed once, across both epochs
    }

    [Fact]
    public void A_node_forwards_the_parameter_broadcast_to_its_children_chunk_by_chunk_even_chunks_that_came_before_its_tree()
    {
        var coordinator = CreateTestProbe();
        var parent = CreateTestProbe();
        var children = new[] { CreateTestProbe(), CreateTestProbe() };
        var agent = ReadyAgent(coordinator);
        var values = Enumerable.Range(0, 300).Select(i => i * 0.5f).ToArray();
        var transfer = Guid.NewGuid();
        var (kind, bytes) = ClusterWireFormat.Encode(new NodeAgentActor.Parameters(3, values));
        var chunks = TensorTransfer.Split(kind, bytes, 100, transfer).ToList();
        foreach (var chunk in chunks.Take(4)) agent.Tell(chunk, parent); // before the node knows where they go
        agent.Tell(new NodeAgentActor.Tree(3, 0, 3, transfer, parent, children.Select(c => c.Ref).ToArray(), []), coordinator);
        foreach (var chunk in chunks.Skip(4)) agent.Tell(chunk, parent);

        foreach (var c in children)
        {
            var inbox = new ChunkReassembler();
            object? whole = null;
            for (var i = 0; i < chunks.Count; i++) whole = inbox.Accept(c.ExpectMsg<TensorChunk>());
            var parameters = Assert.IsType<NodeAgentActor.Parameters>(whole);
            Assert.Equal(3, parameters.Version);
            Assert.Equal(values, parameters.Values);
        }
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // nothing goes back up: the node waits for its children's sums
    }

    private sealed class CountingDecoder(ConcurrentQueue<MicroBatchId> decoded) : IMicroBatchDecoder
    {
        private readonly IndexDecoder _inner = new();

        public string Source => "counted";

        public MicroBatchData Decode(MicroBatchSpec spec)
        {
            decoded.Enqueue(spec.Id);
            return _inner.Decode(spec);
        }
    }

    [Fact]
    public void Shards_hinted_for_the_next_step_are_decoded_before_their_assignment_and_not_again_after_it()
    {
        var decoded = new ConcurrentQueue<MicroBatchId>();
        var coordinator = CreateTestProbe();
        var agent = Sys.ActorOf(NodeAgentActor.Props(new NodeAgentSettings(Fingerprint, "mlp", _ => new CountingDecoder(decoded),
            (_, _) => new IndexSumComputer(_computed, "node"), 1, 64)));
        agent.Tell(new NodeAgentActor.Hello(IndexSumComputer.Plan(Fingerprint), "run", "mlp"), coordinator);
        coordinator.ExpectMsg<WorkDispatcherActor.NodeReady>();
        MicroBatchSpec[] shards = [Shard(4, 0, 1, 2), Shard(4, 1, 3)];
        agent.Tell(new NodeAgentActor.Prefetch(4, shards), coordinator);
        AwaitCondition(() => decoded.Count == 2, TimeSpan.FromSeconds(10)); // no assignment and no parameters yet
        Assert.Empty(_computed);

        agent.Tell(new NodeAgentActor.Assign(4, 1, 4, shards), coordinator);
        agent.Tell(new NodeAgentActor.Tree(4, 0, 4, Guid.NewGuid(), coordinator, [], [1]), coordinator);
        agent.Tell(new NodeAgentActor.Parameters(4, [0f, 0f]), coordinator);
        var sum = ReceiveSum(coordinator);
        Assert.Equal(new float[] { 1 + 2 + 3, 3 }, sum.Sum);
        Assert.Equal(new[] { 0, 1 }, decoded.Select(id => id.Index).Order()); // each once
    }

    [Fact]
    public void A_hint_that_named_other_examples_under_the_same_micro_batch_id_is_not_used()
    {
        var coordinator = CreateTestProbe();
        var agent = ReadyAgent(coordinator);
        agent.Tell(new NodeAgentActor.Prefetch(4, [Shard(4, 0, 1, 2)]), coordinator); // a hint of a plan that was not kept
        agent.Tell(new NodeAgentActor.Parameters(4, [0f, 0f]), coordinator);
        agent.Tell(new NodeAgentActor.Assign(4, 1, 4, [Shard(4, 0, 7, 8)]), coordinator);
        agent.Tell(new NodeAgentActor.Tree(4, 0, 4, Guid.NewGuid(), coordinator, [], [1]), coordinator);
        Assert.Equal(new float[] { 7 + 8, 2 }, ReceiveSum(coordinator).Sum);
    }

    [Fact]
    public void After_a_hand_over_an_assignment_of_the_resumed_older_version_waits_for_its_broadcast_instead_of_being_dropped()
    {
        var old = CreateTestProbe();
        var fresh = CreateTestProbe();
        var agent = ReadyAgent(old);
        agent.Tell(new NodeAgentActor.Parameters(14, [0f, 0f]), old); // the old coordinator got as far as version 14
        agent.Tell(new NodeAgentActor.Hello(IndexSumComputer.Plan(Fingerprint), "run", "mlp"), fresh);
        fresh.ExpectMsg<WorkDispatcherActor.NodeReady>();
        // The new one resumed from the checkpoint of step 12: its assignment comes before its broadcast.
        agent.Tell(new NodeAgentActor.Assign(12, 1, 12, [Shard(12, 0, 5)]), fresh);
        agent.Tell(new NodeAgentActor.Tree(12, 0, 12, Guid.NewGuid(), fresh, [], [1]), fresh);
        agent.Tell(new NodeAgentActor.Parameters(12, [0f, 0f]), fresh);
        var sum = ReceiveSum(fresh);
        Assert.Equal((12L, 1), (sum.Step, sum.Examples));
    }
}
