using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Veil.Actors.Cluster.Coordination;
using Veil.Actors.Cluster.Nodes;
using Veil.Actors.Pipeline;
using Veil.Actors.Tests.Pipeline;
using Xunit;

namespace Veil.Actors.Tests.Cluster;

/// <summary>
/// The coordinator's dispatcher and accumulator with three real node agents in one actor system: the step's sum comes up a
/// tree and every example of the step is in it exactly once, even when a node dies in the middle of the reduction.
/// </summary>
public class TreeReductionTests() : TestKit("""
    akka.actor.provider = cluster
    akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
    akka.loglevel = WARNING
    """)
{
    private const string Fingerprint = "f1f1f1f1f1f1f1f1";
    private readonly ConcurrentQueue<string> _computed = new();

    private IActorRef Agent(string name, ManualResetEventSlim? gate = null) =>
        Sys.ActorOf(NodeAgentActor.Props(new NodeAgentSettings(Fingerprint, "mlp", _ => new IndexDecoder(),
            (_, _) => new IndexSumComputer(_computed, name, gate), 1, 64)), name);

    [Fact]
    public void A_node_that_dies_mid_reduction_loses_and_doubles_nothing()
    {
        var steps = FixedSteps.OfSizes(2, 12); // six shards: examples 0 … 11
        var sums = CreateTestProbe();
        var accumulator = Sys.ActorOf(AccumulatorActor.Props(sums));
        var dispatcher = Sys.ActorOf(WorkDispatcherActor.Props(new WorkDispatcherSettings(
            IndexSumComputer.Plan(Fingerprint), "run", "mlp", 3, 64, steps.Plan, accumulator)));
        using var gate = new ManualResetEventSlim(false);
        // Addresses order the tree: node-a is the root, node-b and node-c its children. node-c computes only when the gate opens,
        // so the root cannot finish epoch 0 before node-b dies, whether or not node-b's sum already reached it.
        var a = Agent("node-a");
        var b = Agent("node-b");
        var c = Agent("node-c", gate);
        Watch(b);
        foreach (var agent in new[] { a, b, c })
            agent.Tell(new NodeAgentActor.Hello(IndexSumComputer.Plan(Fingerprint), "run", "mlp"), dispatcher);
        accumulator.Tell(new AccumulatorActor.Expect(0, 6, 2));
        dispatcher.Tell(new DataLoaderActor.OpenStep(0, new ParameterSnapshot(0, [0f, 0f])));

        AwaitCondition(() => _computed.Count(x => x.StartsWith("node-b:", StringComparison.Ordinal)) == 2, TimeSpan.FromSeconds(20));
        Sys.Stop(b);
        ExpectTerminated(b);
        gate.Set();

        var clipped = sums.ExpectMsg<AccumulatorActor.ClippedSum>(TimeSpan.FromSeconds(20));
        Assert.Equal(0, clipped.Step);
        Assert.Equal(12, clipped.Examples); // no example lost, none twice
        Assert.Equal(new float[] { Enumerable.Range(0, 12).Sum(), 12 }, clipped.Sum);
        Assert.Equal(0, clipped.DuplicatesIgnored); // nothing counted in part: a stale sum never reached the accumulator
        sums.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        var perNode = _computed.GroupBy(x => x.Split(':')[0]).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, perNode["node-b"]); // its two shards were computed again by the others
        Assert.Equal(6, perNode["node-a"] + perNode["node-c"]);
    }

    [Fact]
    public void Three_nodes_reduce_a_step_along_the_tree_and_the_coordinator_counts_every_example_once()
    {
        var steps = FixedSteps.OfSizes(3, 20, 9);
        var sums = CreateTestProbe();
        var accumulator = Sys.ActorOf(AccumulatorActor.Props(sums));
        var dispatcher = Sys.ActorOf(WorkDispatcherActor.Props(new WorkDispatcherSettings(
            IndexSumComputer.Plan(Fingerprint), "run", "mlp", 3, 64, steps.Plan, accumulator)));
        foreach (var agent in new[] { Agent("node-a"), Agent("node-b"), Agent("node-c") })
            agent.Tell(new NodeAgentActor.Hello(IndexSumComputer.Plan(Fingerprint), "run", "mlp"), dispatcher);
        for (var step = 0; step < 2; step++)
        {
            var plan = steps.Plan(step);
            accumulator.Tell(new AccumulatorActor.Expect(step, plan.MicroBatchCount, 2));
            dispatcher.Tell(new DataLoaderActor.OpenStep(step, new ParameterSnapshot(step, [0f, 0f])));
            var clipped = sums.ExpectMsg<AccumulatorActor.ClippedSum>(TimeSpan.FromSeconds(20));
            var examples = plan.MicroBatches.SelectMany(m => m.Indices).ToArray();
            Assert.Equal((step, examples.Length), ((int)clipped.Step, clipped.Examples));
            Assert.Equal(new float[] { examples.Sum(), examples.Length }, clipped.Sum);
        }
    }
}
