using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Veil.Actors.Cluster.Coordination;
using Veil.Actors.Cluster.Nodes;
using Veil.Actors.Cluster.Transport;
using Veil.Actors.Pipeline;
using Veil.DataLoading.Batching;
using Veil.Ledger.Plan;
using Xunit;

namespace Veil.Actors.Tests.Cluster;

/// <summary>The worker node's agent, locally: versioned parameters, the plan's clip norm, one exactly-once sum per assignment, refusals.</summary>
public class NodeAgentActorTests : TestKit
{
    private const string Fingerprint = "f1f1f1f1f1f1f1f1";
    private readonly ConcurrentQueue<(long Version, int Index)> _computed = new();

    private sealed class IndexDecoder : IMicroBatchDecoder
    {
        public string Source => "indices";

        public MicroBatchData Decode(MicroBatchSpec spec) =>
            new(spec.Id.Step, spec.Id.Index, spec.Count, spec.Indices.Select(i => (float)i).ToArray(), spec.Indices.Select(i => (long)i).ToArray());
    }

    /// <summary>Each example contributes the parameter version to every coordinate, so a sum shows which version it was computed at.</summary>
    private sealed class VersionComputer(ConcurrentQueue<(long, int)> computed) : IGradientComputer
    {
        public int ParameterCount => 2;

        public PartialGradient Compute(MicroBatchData work, ParameterSnapshot parameters)
        {
            computed.Enqueue((parameters.Version, work.Index));
            return new PartialGradient([work.Count * parameters.Version, work.Count], work.Count, 0, 0);
        }

        public void Dispose() { }
    }

    private static DpPlan Plan(double clipNorm, string fingerprint = Fingerprint) => new(0.01, 1.0, clipNorm, 10, 1e-5, fingerprint, 1000);

    private IActorRef Agent(string model = "mlp", int workers = 2) =>
        Sys.ActorOf(NodeAgentActor.Props(new NodeAgentSettings(Fingerprint, model, _ => new IndexDecoder(), (_, _) => new VersionComputer(_computed), workers, 64)));

    private static MicroBatchSpec[] Shards(long step, params int[][] micro) =>
        micro.Select((indices, i) => new MicroBatchSpec(new MicroBatchId(step, i + 10), indices)).ToArray();

    /// <summary>An assignment, and the node's place in the step's tree as the root with no children, adding that one assignment.</summary>
    private static void Work(IActorRef agent, TestProbe coordinator, NodeAgentActor.Assign a)
    {
        agent.Tell(a, coordinator);
        agent.Tell(new NodeAgentActor.Tree(a.Step, 0, a.Version, Guid.NewGuid(), coordinator, [], [a.Assignment]), coordinator);
    }

    private static WorkDispatcherActor.ShardSum ReceiveSum(TestProbe parent) => SumReceiver.ReceiveSum(parent);

    [Fact]
    public void A_node_never_computes_step_s_on_parameters_other_than_version_s()
    {
        var coordinator = CreateTestProbe();
        var agent = Agent();
        agent.Tell(new NodeAgentActor.Hello(Plan(1.0), "run", "mlp"), coordinator);
        coordinator.ExpectMsg<WorkDispatcherActor.NodeReady>();
        agent.Tell(new NodeAgentActor.Parameters(2, [0f, 0f]), coordinator);
        Work(agent, coordinator, new NodeAgentActor.Assign(3, 7, 3, Shards(3, [1, 2], [3, 4, 5]))); // version 3 not here yet
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Empty(_computed);

        foreach (var chunk in TensorTransfer.Split(ClusterWireFormat.Parameters, ClusterWireFormat.Encode(new NodeAgentActor.Parameters(3, [0f, 0f])).Bytes, 7))
            agent.Tell(chunk, coordinator);
        var sum = ReceiveSum(coordinator);
        Assert.Equal((3L, 0), (sum.Step, sum.Epoch));
        Assert.Equal(new[] { 10, 11 }, sum.Shards);
        Assert.Equal(new float[] { 5 * 3, 5 }, sum.Sum); // one sum for both micro-batches, at version 3
        Assert.Equal(5, sum.Examples);
        Assert.All(_computed, c => Assert.Equal(3, c.Version));
    }

    [Fact]
    public void A_node_with_other_data_or_another_model_refuses_the_run_and_says_why()
    {
        var coordinator = CreateTestProbe();
        var agent = Agent();
        agent.Tell(new NodeAgentActor.Hello(Plan(1.0, "0000000000000000"), "run-a", "mlp"), coordinator);
        var refused = coordinator.ExpectMsg<WorkDispatcherActor.NodeRefused>();
        Assert.Contains("fingerprint f1f1f1f1f1f1 differs from run run-a's 000000000000", refused.Reason);
        agent.Tell(new NodeAgentActor.Hello(Plan(1.0), "run-b", "tanh-cnn"), coordinator);
        Assert.Contains("veil.model.name", coordinator.ExpectMsg<WorkDispatcherActor.NodeRefused>().Reason);
    }

    [Fact]
    public void The_hello_carries_the_runs_augmentation_seed_over_the_wire_and_the_node_decodes_with_it()
    {
        var hello = new NodeAgentActor.Hello(Plan(1.0), "run", "mlp", AugmentationSeed: 0xA5A5_0123_4567_89ABUL);
        var (manifest, bytes) = ClusterWireFormat.Encode(hello);
        Assert.Equal(hello, ClusterWireFormat.Decode(manifest, bytes));

        var seeds = new ConcurrentQueue<ulong>();
        var coordinator = CreateTestProbe();
        var agent = Sys.ActorOf(NodeAgentActor.Props(new NodeAgentSettings(Fingerprint, "mlp",
            seed => { seeds.Enqueue(seed); return new IndexDecoder(); }, (_, _) => new VersionComputer(_computed), 1, 64)));
        agent.Tell(hello, coordinator);
        coordinator.ExpectMsg<WorkDispatcherActor.NodeReady>();
        agent.Tell(hello, coordinator); // the same run again: the decoder is kept
        coordinator.ExpectMsg<WorkDispatcherActor.NodeReady>();
        Assert.Equal(new[] { hello.AugmentationSeed }, seeds);
    }

    private sealed class FailingComputer : IGradientComputer
    {
        public int ParameterCount => 2;

        public PartialGradient Compute(MicroBatchData work, ParameterSnapshot parameters) =>
            throw new InvalidOperationException("this replica cannot compute the run's gradients");

        public void Dispose() { }
    }

    [Fact]
    public void A_worker_that_fails_every_micro_batch_is_restarted_up_to_the_limit_then_the_agent_stops()
    {
        var coordinator = CreateTestProbe();
        var agent = Sys.ActorOf(NodeAgentActor.Props(new NodeAgentSettings(Fingerprint, "mlp", _ => new IndexDecoder(),
            (_, _) => new FailingComputer(), 1, 64, MaxWorkerRestarts: 3)));
        Watch(agent);
        agent.Tell(new NodeAgentActor.Hello(Plan(1.0), "run", "mlp"), coordinator);
        coordinator.ExpectMsg<WorkDispatcherActor.NodeReady>();
        agent.Tell(new NodeAgentActor.Parameters(1, [0f, 0f]), coordinator);
        agent.Tell(new NodeAgentActor.Assign(1, 1, 1, Shards(1, [1, 2])), coordinator);
        ExpectTerminated(agent, TimeSpan.FromSeconds(10)); // 3 restarts, each redoing the micro-batch, then the fourth failure stops it
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // and it never sent a sum
    }

    [Fact]
    public void Work_of_a_previous_coordinator_is_dropped_when_a_new_one_says_hello()
    {
        var old = CreateTestProbe();
        var fresh = CreateTestProbe();
        var agent = Agent();
        agent.Tell(new NodeAgentActor.Hello(Plan(1.0), "run", "mlp"), old);
        old.ExpectMsg<WorkDispatcherActor.NodeReady>();
        agent.Tell(new NodeAgentActor.Assign(1, 1, 1, Shards(1, [1])), old); // waits for version 1
        agent.Tell(new NodeAgentActor.Hello(Plan(1.0), "run", "mlp"), fresh);
        fresh.ExpectMsg<WorkDispatcherActor.NodeReady>();
        agent.Tell(new NodeAgentActor.Parameters(1, [0f, 0f]), fresh);
        old.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        fresh.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Work(agent, fresh, new NodeAgentActor.Assign(1, 2, 1, Shards(1, [1])));
        Assert.Equal(1, ReceiveSum(fresh).Examples);
    }

    [Fact]
    public void A_nodes_workers_clip_with_the_clip_norm_of_the_plan_the_hello_carries()
    {
        var clipNorms = CreateTestProbe();
        var coordinator = CreateTestProbe();
        var agent = Sys.ActorOf(NodeAgentActor.Props(new NodeAgentSettings(Fingerprint, "mlp", _ => new IndexDecoder(), (_, clipNorm) =>
        {
            clipNorms.Ref.Tell(clipNorm);
            return new VersionComputer(_computed);
        }, 2, 64)));
        clipNorms.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // no computer before a plan says C
        agent.Tell(new NodeAgentActor.Hello(Plan(0.25), "run", "mlp"), coordinator);
        coordinator.ExpectMsg<WorkDispatcherActor.NodeReady>();
        Assert.Equal(0.25, clipNorms.ExpectMsg<double>());
        Assert.Equal(0.25, clipNorms.ExpectMsg<double>());

        agent.Tell(new NodeAgentActor.Hello(Plan(2.0), "run-2", "mlp"), coordinator); // another plan: its workers are rebuilt
        coordinator.ExpectMsg<WorkDispatcherActor.NodeReady>();
        Assert.Equal(2.0, clipNorms.ExpectMsg<double>());
        Assert.Equal(2.0, clipNorms.ExpectMsg<double>());
        agent.Tell(new NodeAgentActor.Parameters(0, [0f, 0f]), coordinator);
        Work(agent, coordinator, new NodeAgentActor.Assign(0, 1, 0, Shards(0, [1, 2], [3])));
        Assert.Equal(3, ReceiveSum(coordinator).Examples); // and they compute
    }

    private sealed class CrashOnceComputer(ConcurrentQueue<(long, int)> computed, Func<bool> crashNow) : IGradientComputer
    {
        private readonly VersionComputer _inner = new(computed);

        public int ParameterCount => 2;

        public PartialGradient Compute(MicroBatchData work, ParameterSnapshot parameters)
        {
            var partial = _inner.Compute(work, parameters);
            if (work.Index == 1 && crashNow()) throw new InvalidOperationException("a worker crashed mid-batch");
            return partial;
        }

        public void Dispose() { }
    }

    [Fact]
    public void A_node_counts_each_shard_of_an_assignment_exactly_once_when_a_worker_crashes_mid_batch()
    {
        var crashes = 0;
        var coordinator = CreateTestProbe();
        var agent = Sys.ActorOf(NodeAgentActor.Props(new NodeAgentSettings(Fingerprint, "mlp", _ => new IndexDecoder(),
            (_, _) => new CrashOnceComputer(_computed, () => Interlocked.Increment(ref crashes) == 1), 2, 64)));
        agent.Tell(new NodeAgentActor.Hello(Plan(1.0), "run", "mlp"), coordinator);
        coordinator.ExpectMsg<WorkDispatcherActor.NodeReady>();
        agent.Tell(new NodeAgentActor.Parameters(4, [0f, 0f]), coordinator);
        Work(agent, coordinator, new NodeAgentActor.Assign(4, 9, 4, Shards(4, [1], [2, 3], [4, 5, 6])));
        var sum = ReceiveSum(coordinator);
        Assert.Equal(new[] { 10, 11, 12 }, sum.Shards);
        Assert.Equal(new float[] { 6 * 4, 6 }, sum.Sum); // the crashed micro-batch was redone and counted once
        Assert.Equal(6, sum.Examples);
        Assert.Equal(4, _computed.Count); // three micro-batches, one of them twice
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // one sum per step
    }

    [Fact]
    public void A_node_given_two_assignments_of_a_step_sends_one_sum_covering_the_shards_of_both()
    {
        var coordinator = CreateTestProbe();
        var agent = Agent();
        agent.Tell(new NodeAgentActor.Hello(Plan(1.0), "run", "mlp"), coordinator);
        coordinator.ExpectMsg<WorkDispatcherActor.NodeReady>();
        agent.Tell(new NodeAgentActor.Parameters(2, [0f, 0f]), coordinator);
        // The second holds shards handed on from a node that left, as the dispatcher numbers them.
        agent.Tell(new NodeAgentActor.Assign(2, 5, 2, Shards(2, [1, 2], [3])), coordinator);
        agent.Tell(new NodeAgentActor.Assign(2, 6, 2, [new MicroBatchSpec(new MicroBatchId(2, 20), [7, 8, 9, 10])]), coordinator);
        agent.Tell(new NodeAgentActor.Tree(2, 0, 2, Guid.NewGuid(), coordinator, [], [5, 6]), coordinator);
        var sum = ReceiveSum(coordinator);
        Assert.Equal(7, sum.Examples);
        Assert.Equal(new[] { 10, 11, 20 }, sum.Shards.Order());
        Assert.Equal(new float[] { 7 * 2, 7 }, sum.Sum);
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void An_assignment_of_a_later_step_abandons_an_earlier_one_still_waiting_for_its_parameters()
    {
        var coordinator = CreateTestProbe();
        var agent = Agent();
        agent.Tell(new NodeAgentActor.Hello(Plan(1.0), "run", "mlp"), coordinator);
        coordinator.ExpectMsg<WorkDispatcherActor.NodeReady>();
        agent.Tell(new NodeAgentActor.Assign(1, 1, 1, Shards(1, [1])), coordinator); // version 1 never comes: the coordinator moved on
        agent.Tell(new NodeAgentActor.Parameters(2, [0f, 0f]), coordinator);
        Work(agent, coordinator, new NodeAgentActor.Assign(2, 2, 2, Shards(2, [1, 2])));
        Assert.Equal(2, ReceiveSum(coordinator).Step);
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.All(_computed, c => Assert.Equal(2, c.Version));
    }

    private sealed class CorruptDecoder : IMicroBatchDecoder
    {
        public string Source => "corrupt";

        public MicroBatchData Decode(MicroBatchSpec spec) => throw new InvalidDataException("truncated file");
    }

    [Fact]
    public void A_node_whose_shards_cannot_be_decoded_stops_its_agent_and_sends_no_sum()
    {
        var coordinator = CreateTestProbe();
        var agent = Sys.ActorOf(NodeAgentActor.Props(new NodeAgentSettings(Fingerprint, "mlp", _ => new CorruptDecoder(),
            (_, _) => new VersionComputer(_computed), 1, 64)));
        Watch(agent);
        agent.Tell(new NodeAgentActor.Hello(Plan(1.0), "run", "mlp"), coordinator);
        coordinator.ExpectMsg<WorkDispatcherActor.NodeReady>();
        agent.Tell(new NodeAgentActor.Parameters(0, [0f, 0f]), coordinator);
        agent.Tell(new NodeAgentActor.Assign(0, 1, 0, Shards(0, [1])), coordinator);
        ExpectTerminated(agent, TimeSpan.FromSeconds(10)); // the node leaves; its shards go to the others
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Empty(_computed);
    }
}
