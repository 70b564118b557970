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

    private IActorRef Dispatcher(FixedSteps steps, TestProbe accumulator, int minWorkers = 2) =>
        Sys.ActorOf(WorkDispatcherActor.Props(new WorkDispatcherSettings(new DpPlan(0.01, 1.0, 1.0, 10, 1e-5, "f1f1", 1000), "run", "mlp", minWorkers, 64, steps.Plan, accumulator)));

    /// <summary>The parameters broadcast to a node (chunked), then its assignment.</summary>
    private static (NodeAgentActor.Parameters Parameters, NodeAgentActor.Assign Assign) ReceiveWork(TestProbe node)
    {
        var inbox = new ChunkReassembler();
        while (true)
        {
            var chunk = node.ExpectMsg<TensorChunk>();
            if (inbox.Accept(chunk) is NodeAgentActor.Parameters parameters) return (parameters, node.ExpectMsg<NodeAgentActor.Assign>());
        }
    }

    private static int[] Indices(NodeAgentActor.Assign a) => a.Shards.Select(s => s.Id.Index).ToArray();

    private static WorkDispatcherActor.ShardSum SumOf(NodeAgentActor.Assign a) =>
        new(a.Step, a.Assignment, Indices(a), [a.Shards.Length, 0f], a.Shards.Sum(s => s.Count), 0, 0);

    [Fact]
    public void The_first_step_is_assigned_only_once_min_workers_nodes_are_ready_each_after_the_parameters_of_its_version()
    {
        var accumulator = CreateTestProbe();
        var dispatcher = Dispatcher(FixedSteps.OfSizes(2, 8), accumulator);
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        dispatcher.Tell(new WorkDispatcherActor.NodeReady(1), a);
        dispatcher.Tell(new DataLoaderActor.OpenStep(0, Version0));
        a.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // one node of two
        dispatcher.Tell(new WorkDispatcherActor.NodeReady(1), b);

        var (pa, assignA) = ReceiveWork(a);
        var (pb, assignB) = ReceiveWork(b);
        Assert.All(new[] { pa, pb }, p =>
        {
            Assert.Equal(0, p.Version);
            Assert.Equal(Version0.Values, p.Values);
        });
        Assert.All(new[] { assignA, assignB }, x => Assert.Equal((0L, 0L), (x.Step, x.Version)));
        Assert.Equal([0, 1, 2, 3], Indices(assignA).Concat(Indices(assignB)).Order());
        Assert.Equal(2, assignA.Shards.Length); // in proportion to the nodes' workers
    }

    [Fact]
    public void The_dispatcher_hands_a_departed_nodes_unfinished_shards_to_another_node()
    {
        var accumulator = CreateTestProbe();
        var dispatcher = Dispatcher(FixedSteps.OfSizes(2, 8), accumulator);
        var departing = CreateTestProbe();
        var staying = CreateTestProbe();
        dispatcher.Tell(new WorkDispatcherActor.NodeReady(1), departing);
        dispatcher.Tell(new WorkDispatcherActor.NodeReady(1), staying);
        dispatcher.Tell(new DataLoaderActor.OpenStep(0, Version0));
        var (_, lost) = ReceiveWork(departing);
        var (_, kept) = ReceiveWork(staying);

        Sys.Stop(departing.Ref);
        var handedOn = staying.ExpectMsg<NodeAgentActor.Assign>(); // no second broadcast: it holds version 0 already
        Assert.Equal(Indices(lost), Indices(handedOn));
        Assert.NotEqual(kept.Assignment, handedOn.Assignment);

        dispatcher.Tell(SumOf(kept), staying);
        dispatcher.Tell(SumOf(handedOn), staying);
        var covered = new[] { accumulator.ExpectMsg<AccumulatorActor.PartialSum>(), accumulator.ExpectMsg<AccumulatorActor.PartialSum>() }
            .SelectMany(p => p.Indices).Order();
        Assert.Equal([0, 1, 2, 3], covered); // every shard once
        staying.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_nodes_sum_reaches_the_accumulator_naming_the_shards_it_covers_and_a_late_sum_of_a_finished_step_does_not()
    {
        var accumulator = CreateTestProbe();
        var dispatcher = Dispatcher(FixedSteps.OfSizes(2, 6, 4), accumulator, minWorkers: 1);
        var node = CreateTestProbe();
        dispatcher.Tell(new WorkDispatcherActor.NodeReady(2), node);
        dispatcher.Tell(new DataLoaderActor.OpenStep(0, Version0));
        var (_, step0) = ReceiveWork(node);

        foreach (var chunk in TensorTransfer.Split(ClusterWireFormat.ShardSum, ClusterWireFormat.Encode(SumOf(step0)).Bytes, 16))
            dispatcher.Tell(chunk, node); // as it travels: chunked
        var partial = accumulator.ExpectMsg<AccumulatorActor.PartialSum>();
        Assert.Equal(0, partial.Id.Step);
        Assert.Equal([0, 1, 2], partial.Indices);
        Assert.Equal(6, partial.Partial.Examples);

        dispatcher.Tell(new DataLoaderActor.OpenStep(1, new ParameterSnapshot(1, [0f, 0f])));
        ReceiveWork(node);
        dispatcher.Tell(SumOf(step0), node); // step 0's sum again, after step 1 opened
        accumulator.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}
