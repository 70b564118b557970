using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Veil.Actors.Cluster.Coordination;
using Veil.Actors.Cluster.Nodes;
using Veil.Actors.Cluster.Transport;
using Veil.Actors.Pipeline;
using Veil.Actors.Tests.Pipeline;
using Veil.DataLoading.Batching;
using Veil.Ledger.Plan;
using Xunit;

namespace Veil.Actors.Tests.Cluster;

/// <summary>
/// The coordinator's work dispatcher, with probes standing for the node agents (a node is its agent: a stopped agent
/// is a departed node) and for the pipeline's accumulator. The actor system has the cluster provider the dispatcher
/// needs, but joins no cluster.
/// </summary>
public class WorkDispatcherActorTests() : TestKit("""
    akka.actor.provider = cluster
    akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
    akka.loglevel = WARNING
    """)
{
    private static readonly ParameterSnapshot Version0 = new(0, [0.5f, -0.5f]);

    private IActorRef Dispatcher(FixedSteps steps, TestProbe accumulator, int minWorkers = 2, int fanIn = ReductionTree.FanIn) =>
        Sys.ActorOf(WorkDispatcherActor.Props(new WorkDispatcherSettings(
            new DpPlan(0.01, 1.0, 1.0, 10, 1e-5, "f1f1", 1000), "run", "mlp", minWorkers, 64, steps.Plan, accumulator, FanIn: fanIn)));

    /// <summary>A node's assignment of a step, then its place in the step's tree.</summary>
    private static (NodeAgentActor.Assign Assign, NodeAgentActor.Tree Tree) ReceiveWork(TestProbe node) =>
        (node.ExpectMsg<NodeAgentActor.Assign>(), node.ExpectMsg<NodeAgentActor.Tree>());

    /// <summary>The one parameter broadcast of a tree, as the root receives it (chunked, from the coordinator).</summary>
    private static NodeAgentActor.Parameters ReceiveBroadcast(TestProbe root, Guid transfer)
    {
        var inbox = new ChunkReassembler();
        while (true)
        {
            var chunk = root.ExpectMsg<TensorChunk>();
            Assert.Equal(transfer, chunk.TransferId);
            if (inbox.Accept(chunk) is NodeAgentActor.Parameters parameters) return parameters;
        }
    }

    /// <summary>A probe standing for a node agent; the next step's prefetch hints are checked on their own, not in every test.</summary>
    private TestProbe NodeProbe()
    {
        var probe = CreateTestProbe();
        probe.IgnoreMessages<NodeAgentActor.Prefetch>();
        return probe;
    }

    private static int[] Indices(NodeAgentActor.Assign a) => a.Shards.Select(s => s.Id.Index).ToArray();

    private static WorkDispatcherActor.ShardSum SumOf(NodeAgentActor.Tree tree, params NodeAgentActor.Assign[] assigns) =>
        new(tree.Step, tree.Epoch, tree.ParametersTransfer, assigns.SelectMany(Indices).ToArray(), [assigns.Sum(a => a.Shards.Length), 0f],
            assigns.Sum(a => a.Shards.Sum(s => s.Count)), 0, 0);

    [Fact]
    public void The_first_step_is_assigned_once_min_workers_nodes_are_ready_and_the_parameters_go_once_to_the_trees_root()
    {
        var accumulator = CreateTestProbe();
        var dispatcher = Dispatcher(FixedSteps.OfSizes(2, 8), accumulator);
        var a = NodeProbe();
        var b = NodeProbe();
        dispatcher.Tell(new WorkDispatcherActor.NodeReady(1), a);
        dispatcher.Tell(new DataLoaderActor.OpenStep(0, Version0));
        a.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // one node of two
        dispatcher.Tell(new WorkDispatcherActor.NodeReady(1), b);

        var workA = ReceiveWork(a);
        var workB = ReceiveWork(b);
        Assert.Equal([0, 1, 2, 3], Indices(workA.Assign).Concat(Indices(workB.Assign)).Order());
        Assert.Equal(2, workA.Assign.Shards.Length); // in proportion to the nodes' workers
        var (root, leaf) = workA.Tree.Parent.Equals(dispatcher) ? ((a, workA), (b, workB)) : ((b, workB), (a, workA));
        Assert.Equal(dispatcher, root.Item2.Tree.Parent);
        Assert.Equal(new[] { leaf.Item1.Ref }, root.Item2.Tree.Children);
        Assert.Equal(root.Item1.Ref, leaf.Item2.Tree.Parent);
        Assert.Empty(leaf.Item2.Tree.Children);
        Assert.All(new[] { workA, workB }, w => Assert.Equal(new[] { w.Assign.Assignment }, w.Tree.Assignments));
        Assert.Equal(root.Item2.Tree.ParametersTransfer, leaf.Item2.Tree.ParametersTransfer);

        var parameters = ReceiveBroadcast(root.Item1, root.Item2.Tree.ParametersTransfer);
        Assert.Equal(0L, parameters.Version);
        Assert.Equal(Version0.Values, parameters.Values);
        leaf.Item1.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // its copy comes from its parent, not from the coordinator
    }

    [Fact]
    public void The_roots_sum_reaches_the_accumulator_naming_every_shard_and_a_late_sum_of_a_finished_step_does_not()
    {
        var accumulator = CreateTestProbe();
        var dispatcher = Dispatcher(FixedSteps.OfSizes(2, 6, 4), accumulator, minWorkers: 1);
        var node = NodeProbe();
        dispatcher.Tell(new WorkDispatcherActor.NodeReady(2), node);
        dispatcher.Tell(new DataLoaderActor.OpenStep(0, Version0));
        var (step0, tree) = ReceiveWork(node);
        ReceiveBroadcast(node, tree.ParametersTransfer);

        foreach (var chunk in TensorTransfer.Split(ClusterWireFormat.ShardSum, ClusterWireFormat.Encode(SumOf(tree, step0)).Bytes, 16))
            dispatcher.Tell(chunk, node); // as it travels: chunked
        var partial = accumulator.ExpectMsg<AccumulatorActor.PartialSum>();
        Assert.Equal(0, partial.Id.Step);
        Assert.Equal([0, 1, 2], partial.Indices);
        Assert.Equal(6, partial.Partial.Examples);

        dispatcher.Tell(new DataLoaderActor.OpenStep(1, new ParameterSnapshot(1, [0f, 0f])));
        var (_, tree1) = ReceiveWork(node);
        ReceiveBroadcast(node, tree1.ParametersTransfer);
        dispatcher.Tell(SumOf(tree, step0), node); // step 0's sum again, after step 1 opened
        accumulator.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void A_sum_that_covers_only_part_of_the_step_is_refused_whole_and_the_tree_is_shaped_again()
    {
        var accumulator = CreateTestProbe();
        var dispatcher = Dispatcher(FixedSteps.OfSizes(2, 6), accumulator, minWorkers: 1);
        var node = NodeProbe();
        dispatcher.Tell(new WorkDispatcherActor.NodeReady(1), node);
        dispatcher.Tell(new DataLoaderActor.OpenStep(0, Version0));
        var (assign, tree) = ReceiveWork(node);
        ReceiveBroadcast(node, tree.ParametersTransfer);

        var part = SumOf(tree, assign) with { Shards = [0, 1] };
        dispatcher.Tell(part, node);
        var again = node.ExpectMsg<NodeAgentActor.Tree>();
        Assert.Equal((0L, 1), (again.Step, again.Epoch));
        Assert.Equal(new[] { assign.Assignment }, again.Assignments); // the node keeps its work: only the reduction is redone
        ReceiveBroadcast(node, again.ParametersTransfer);
        dispatcher.Tell(SumOf(again, assign) with { Shards = [0, 1, 1] }, node); // a shard twice: refused as well
        Assert.Equal(2, node.ExpectMsg<NodeAgentActor.Tree>().Epoch);
        accumulator.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_node_lost_mid_reduction_has_its_shards_handed_on_and_every_earlier_epochs_sum_is_refused_whole()
    {
        var accumulator = CreateTestProbe();
        var dispatcher = Dispatcher(FixedSteps.OfSizes(1, 6), accumulator, minWorkers: 3);
        var nodes = new[] { NodeProbe(), NodeProbe(), NodeProbe() };
        foreach (var n in nodes) dispatcher.Tell(new WorkDispatcherActor.NodeReady(1), n);
        dispatcher.Tell(new DataLoaderActor.OpenStep(0, Version0));
        var work = nodes.Select(ReceiveWork).ToArray();
        var root = Array.FindIndex(work, w => w.Tree.Parent.Equals(dispatcher));
        ReceiveBroadcast(nodes[root], work[root].Tree.ParametersTransfer);
        Assert.Equal(2, work[root].Tree.Children.Length);
        var lost = (root + 1) % 3;
        var staying = Enumerable.Range(0, 3).Where(i => i != lost).ToArray();

        // The lost node's sum had reached the root, which could still send the step's whole sum of epoch 0.
        var epoch0 = SumOf(work[root].Tree, work.Select(w => w.Assign).ToArray());
        Sys.Stop(nodes[lost].Ref);
        var handedOn = new List<NodeAgentActor.Assign>();
        var trees = new Dictionary<int, NodeAgentActor.Tree>();
        foreach (var i in staying)
        {
            var message = nodes[i].ExpectMsg<object>();
            if (message is NodeAgentActor.Assign more)
            {
                handedOn.Add(more);
                message = nodes[i].ExpectMsg<object>();
            }
            trees[i] = Assert.IsType<NodeAgentActor.Tree>(message);
            Assert.Equal(1, trees[i].Epoch);
        }
        Assert.Equal(Indices(work[lost].Assign), handedOn.SelectMany(Indices).Order());
        var newRoot = staying.Single(i => trees[i].Parent.Equals(dispatcher));
        ReceiveBroadcast(nodes[newRoot], trees[newRoot].ParametersTransfer); // the new tree gets its own copy
        var everyAssignment = staying.Select(i => work[i].Assign).Concat(handedOn).ToArray();
        Assert.Equal(
            everyAssignment.Select(a => a.Assignment).Order(), staying.SelectMany(i => trees[i].Assignments).Order()); // each in one node's sum

        dispatcher.Tell(epoch0, nodes[root]); // it arrives after the node was lost: refused whole, nothing of it counted
        accumulator.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        var epoch1 = SumOf(trees[newRoot], everyAssignment);
        dispatcher.Tell(epoch1 with { Tree = Guid.NewGuid() }, nodes[newRoot]); // the same step and epoch, of another tree: refused
        accumulator.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        dispatcher.Tell(epoch1, nodes[newRoot]);
        var counted = accumulator.ExpectMsg<AccumulatorActor.PartialSum>();
        Assert.Equal([0, 1, 2, 3, 4, 5], counted.Indices.Order());
        dispatcher.Tell(epoch1, nodes[newRoot]); // and again: the step is counted
        dispatcher.Tell(epoch0, nodes[root]);
        accumulator.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void While_a_step_computes_each_node_is_told_which_shards_of_the_next_step_to_decode_ahead_and_then_gets_exactly_those()
    {
        var accumulator = CreateTestProbe();
        var dispatcher = Dispatcher(FixedSteps.OfSizes(2, 8, 12), accumulator, minWorkers: 2);
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        dispatcher.Tell(new WorkDispatcherActor.NodeReady(1), a);
        dispatcher.Tell(new WorkDispatcherActor.NodeReady(1), b);
        dispatcher.Tell(new DataLoaderActor.OpenStep(0, Version0));
        var hints = new[] { a, b }.Select(node => node.FishForMessage<NodeAgentActor.Prefetch>(_ => true)).ToArray();
        Assert.All(hints, h => Assert.Equal(1, h.Step));
        Assert.Equal(Enumerable.Range(0, 6), hints.SelectMany(h => h.Shards).Select(s => s.Id.Index).Order());

        dispatcher.Tell(new DataLoaderActor.OpenStep(1, new ParameterSnapshot(1, [0f, 0f])));
        var assigned = new[] { a, b }.Select(node => node.FishForMessage<NodeAgentActor.Assign>(_ => true)).ToArray();
        for (var i = 0; i < 2; i++) Assert.Equal(hints[i].Shards.Select(s => s.Id), assigned[i].Shards.Select(s => s.Id));
    }

    [Fact]
    public void The_roots_sum_counts_only_once_its_header_and_every_slice_of_the_current_tree_are_in()
    {
        var accumulator = CreateTestProbe();
        var dispatcher = Dispatcher(FixedSteps.OfSizes(1, 4), accumulator, minWorkers: 1);
        var node = NodeProbe();
        dispatcher.Tell(new WorkDispatcherActor.NodeReady(1), node);
        dispatcher.Tell(new DataLoaderActor.OpenStep(0, Version0));
        var (step0, tree) = ReceiveWork(node);
        ReceiveBroadcast(node, tree.ParametersTransfer);
        Assert.Equal(1, tree.SumChunks); // two parameters fit one slice of 64 bytes

        dispatcher.Tell(SumChunk.Of(0, 0, Guid.NewGuid(), 0, 1, 2, [99f, 99f]), node); // another tree's slice: never gathered
        dispatcher.Tell(SumChunk.Of(0, 0, tree.ParametersTransfer, 0, 1, 2, [4f, 6f]), node);
        accumulator.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // no header yet
        var header = SumOf(tree, step0) with { Sum = [], SumChunks = 1 };
        foreach (var chunk in TensorTransfer.Split(ClusterWireFormat.ShardSum, ClusterWireFormat.Encode(header).Bytes, 16)) dispatcher.Tell(chunk, node);
        var partial = accumulator.ExpectMsg<AccumulatorActor.PartialSum>();
        Assert.Equal(new float[] { 4f, 6f }, partial.Partial.ClippedSum);
        Assert.Equal(Indices(step0).Order(), partial.Indices!.Order());
        dispatcher.Tell(SumChunk.Of(0, 0, tree.ParametersTransfer, 0, 1, 2, [4f, 6f]), node);
        foreach (var chunk in TensorTransfer.Split(ClusterWireFormat.ShardSum, ClusterWireFormat.Encode(header).Bytes, 16)) dispatcher.Tell(chunk, node);
        accumulator.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // counted once
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void The_tree_gives_no_node_more_children_than_the_fan_in_and_every_node_but_the_root_one_parent_among_the_nodes(int fanIn)
    {
        var accumulator = CreateTestProbe();
        var dispatcher = Dispatcher(FixedSteps.OfSizes(1, 8), accumulator, minWorkers: 4, fanIn: fanIn);
        var nodes = Enumerable.Range(0, 4).Select(_ => NodeProbe()).ToArray();
        foreach (var n in nodes) dispatcher.Tell(new WorkDispatcherActor.NodeReady(1), n);
        dispatcher.Tell(new DataLoaderActor.OpenStep(0, Version0));
        var trees = nodes.Select(n => ReceiveWork(n).Tree).ToArray();

        Assert.Single(trees, t => t.Parent.Equals(dispatcher));
        Assert.All(trees, t => Assert.True(t.Children.Length <= fanIn));
        Assert.Equal(3, trees.Sum(t => t.Children.Length));
        Assert.Equal(fanIn == 1 ? 1 : 3, trees.Max(t => t.Children.Length)); // a chain, or the root holding the other three
        for (var i = 0; i < nodes.Length; i++)
            if (!trees[i].Parent.Equals(dispatcher))
                Assert.Contains(nodes[i].Ref, trees[Array.FindIndex(nodes, n => n.Ref.Equals(trees[i].Parent))].Children);
    }
}
