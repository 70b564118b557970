using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Veil.Actors.Cluster.Coordination;
using Veil.Actors.Cluster.Nodes;
using Veil.Actors.Configuration;
using Veil.Actors.Pipeline;
using Veil.Actors.Training;
using Veil.DataLoading.Batching;

namespace Veil.Actors.Cluster.Hosting;

/// <summary>
/// One process's membership of a training cluster: an actor system on veil.cluster.hostname:port that
/// joins the seed nodes; a node agent with local data and gradient workers if it has the worker role;
/// the coordinator singleton's manager if it has the coordinator role; a run watcher on every node.
/// </summary>
public sealed class ClusterNode : IDisposable
{
    private readonly TaskCompletionSource<RunWatcherActor.RunEnded> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RunData? _data;

    private ClusterNode(Akka.Configuration.Config config, TextWriter log, string? ledgerPathOverride, Func<int, double, IGradientComputer>? computers)
    {
        var cluster = ClusterSettings.Create(config);
        ClusterModeLimits.Check(config);
        var t = TrainingSettings.Create(config);
        Settings = cluster;
        if (cluster.IsWorker)
        {
            TrainingJob.PrepareTorch(t);
            _data = RunData.Load(t);
        }
        System = ActorSystem.Create(ClusterActorSystem.SystemName, ClusterActorSystem.Config(cluster));
        System.ActorOf(RunWatcherActor.Props(_ended), RunWatcherActor.Name);
        if (cluster.IsWorker)
        {
            var workers = t.Runtime.Devices.Count * t.Runtime.WorkersPerDevice;
            // The same replicas as the coordinator's: a public/private split's private classes, a backbone's frozen parts
            // (each node loads and checks the backbone folder itself; the Hello compares the identities).
            var models = new RunModels(t, _data!.ModelClasses, _data.Fingerprint);
            // The clip norm is the one the coordinator's plan says (it comes with the Hello), not this node's veil.dp.clip-norm.
            computers ??= (index, clipNorm) => new TorchGradientComputer(
                models.Create(0), clipNorm, t.Runtime.Devices[index % t.Runtime.Devices.Count], TrainingJob.Method(t), TrainingJob.Unsupported(t));
            var agent = System.ActorOf(NodeAgentActor.Props(new NodeAgentSettings(_data.Fingerprint, models.Identity,
                seed => new RetryingDecoder(_data.TrainDecoder(seed)), computers, workers, cluster.ChunkBytes,
                t.Runtime.DecodeThreads, "veil-worker-dispatcher",
                MaxBufferedMicroBatches: t.Runtime.PrefetchMicroBatches + t.Runtime.DecodeThreads + workers)), NodeAgentActor.Name);
            // A node whose agent failed (its data cannot be decoded) would hold on to shards it will never compute:
            // it leaves, and the coordinator hands its shards to the others.
            agent.WatchAsync().ContinueWith(_ =>
            {
                if (System.WhenTerminated.IsCompleted) return;
                log.WriteLine($"node {Address}: its node agent failed; leaving the cluster so that its work goes to the other nodes");
                Akka.Cluster.Cluster.Get(System).Leave(Address);
            }, TaskScheduler.Default);
        }
        if (cluster.IsCoordinator)
        {
            var run = new ClusterRun(t, PrivacySettings.Create(config), CheckpointSettings.Create(config), ChaosSettings.Create(config),
                TelemetrySettings.Create(config), cluster, log, ledgerPathOverride);
            System.ActorOf(ClusterSingletonManager.Props(CoordinatorSingletonActor.Props(run), PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(System).WithRole(ClusterSettings.CoordinatorRole)), "coordinator");
        }
    }

    public ActorSystem System { get; }

    public ClusterSettings Settings { get; }

    public Akka.Actor.Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

    /// <summary>Completes when the coordinator (on whichever node) says the run ended.</summary>
    public Task<RunWatcherActor.RunEnded> Ended => _ended.Task;

    /// <summary>Completes when this node's actor system stopped: it left, or the split-brain resolver downed it.</summary>
    public Task Stopped => System.WhenTerminated;

    /// <summary>Starts a node from a loaded configuration (veil.cluster.* says its roles and address). <paramref name="computers"/>, if
    /// given, replaces a worker's gradient computers: (worker index, the clip norm of the coordinator's plan) → computer.</summary>
    public static ClusterNode Start(
        Akka.Configuration.Config config, TextWriter log, string? ledgerPathOverride = null, Func<int, double, IGradientComputer>? computers = null) =>
        new(config, log, ledgerPathOverride, computers);

    /// <summary>Leaves the cluster gracefully (a singleton here hands over), then stops.</summary>
    public void Leave(TimeSpan timeout)
    {
        if (System.WhenTerminated.IsCompleted) return;
        var cluster = Akka.Cluster.Cluster.Get(System);
        var removed = new TaskCompletionSource();
        cluster.RegisterOnMemberRemoved(() => removed.TrySetResult());
        cluster.Leave(cluster.SelfAddress);
        removed.Task.Wait(timeout);
        System.Terminate().Wait(timeout);
    }

    /// <summary>Stops the actor system without leaving: to the others the node just vanished.</summary>
    public void Crash() => System.Terminate().Wait(TimeSpan.FromSeconds(10));

    public void Dispose()
    {
        if (!System.WhenTerminated.IsCompleted) System.Terminate().Wait(TimeSpan.FromSeconds(10));
        _data?.Dispose();
    }
}
