using Akka.Actor;
using Akka.Event;
using Veil.Actors.Cluster.Coordination;
using Veil.Actors.Cluster.Transport;
using Veil.Actors.Pipeline;
using Veil.DataLoading.Batching;
using Veil.Ledger.Plan;

namespace Veil.Actors.Cluster.Nodes;

/// <summary>
/// A worker node's agent (at /user/node-agent). A worker node runs the one-node pipeline's own actors: a
/// <see cref="DataLoaderActor"/> fed by the coordinator's assignments (<see cref="AssignedWorkFeed"/>), the
/// <see cref="GradientWorkerActor"/>s, and an <see cref="AccumulatorActor"/> that sums the node's shards of an
/// assignment exactly once. The agent does what the pipeline's coordinator does on one node, for the node: it
/// answers the <see cref="Hello"/> (refusing a run on other data or another model), builds the workers with the
/// clip norm of the run's plan, keeps the latest parameter broadcast, opens one assignment at a time at the
/// parameter version it names (waiting for that broadcast if need be). Its place in the step's reduction tree
/// (<see cref="Tree"/>) says where the rest goes: it forwards the parameter broadcast's chunks to its children as they
/// arrive (unchanged, so the digest is checked end to end), adds its children's sums to its own chunk by chunk
/// (<see cref="SubtreeSum"/>) and sends each chunk of the one combined sum to its parent as soon as it is added.
/// </summary>
public sealed class NodeAgentActor : ReceiveActor
{
    public const string Name = "node-agent";

    /// <summary>From a coordinator: the run's whole plan; the agent answers NodeReady or NodeRefused.</summary>
    /// <param name="Plan">The coordinator's frozen plan: the node's workers clip to its C and the node checks its data against the plan's
    /// dataset, whatever the node's own configuration says (a node reads no privacy value of its own).</param>
    /// <param name="AugmentationSeed">Seeds the run's augmentation draws (a one-way hash of its sampler seed, which stays on the coordinator).</param>
    public sealed record Hello(DpPlan Plan, string RunId, string Model, ulong AugmentationSeed = 0);

    /// <summary>The parameters every worker must compute the step of the same number on (Version = step).</summary>
    public sealed record Parameters(long Version, float[] Values);

    /// <summary>Compute these micro-batches of <paramref name="Step"/> at parameter <paramref name="Version"/>, and send one sum.</summary>
    public sealed record Assign(long Step, long Assignment, long Version, MicroBatchSpec[] Shards);

    /// <summary>The micro-batches the coordinator expects to assign this node at step <paramref name="Step"/>: decoded ahead, not computed.</summary>
    public sealed record Prefetch(long Step, MicroBatchSpec[] Shards);

    /// <summary>
    /// The node's place in step <paramref name="Step"/>'s reduction, epoch <paramref name="Epoch"/>: forward the chunks of parameter
    /// transfer <paramref name="ParametersTransfer"/> (version <paramref name="Version"/>) to <paramref name="Children"/>, add the sums of
    /// its own <paramref name="Assignments"/> and of every child, and send the one sum to <paramref name="Parent"/> (the coordinator, for
    /// the root). A later epoch of the same step replaces it. The sum goes up in <paramref name="SumChunks"/> slices
    /// (<see cref="SumChunk"/>), the same for every node of the tree, so that a node adds and sends on slice i as soon as it has
    /// slice i of each child.
    /// </summary>
    public sealed record Tree(
        long Step, int Epoch, long Version, Guid ParametersTransfer, IActorRef Parent, IActorRef[] Children, long[] Assignments, int SumChunks = 1);

    /// <summary>The node's pipeline, built for one plan's clip norm; its rounds (assignments) are numbered across pipelines.</summary>
    private sealed record NodePipeline(double ClipNorm, AssignedWorkFeed Feed, IActorRef Loader, IActorRef Accumulator);

    private readonly NodeAgentSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ChunkReassembler _inbox = new();
    private readonly List<Assign> _waiting = new();
    private IActorRef _coordinator = ActorRefs.Nobody;
    private NodePipeline? _pipeline;
    private int _generation;
    private ParameterSnapshot? _parameters;
    private (long Round, Assign Assign)? _open;
    private long _rounds;
    private int _workerRestarts;
    private (ulong Seed, IMicroBatchDecoder Decoder)? _decoder; // built at the first Hello, rebuilt if a coordinator brings another seed
    private SubtreeSum _reduction = new();
    private readonly Dictionary<Guid, IActorRef[]> _routes = new();
    private readonly List<TensorChunk> _unrouted = new(); // broadcast chunks that came before the tree saying where they go
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public NodeAgentActor(NodeAgentSettings settings)
    {
        _settings = settings;
        Receive<Hello>(OnHello);
        Receive<TensorChunk>(chunk =>
        {
            if (chunk.Kind == ClusterWireFormat.Parameters) Forward(chunk);
            switch (_inbox.Accept(chunk))
            {
                case null: break;
                case Parameters p: OnParameters(p); break;
                case WorkDispatcherActor.ShardSum sum: OnChildSum(sum); break;
                case var other: _log.Warning("node agent: ignoring a chunked {0}", other.GetType().Name); break;
            }
        });
        Receive<Parameters>(OnParameters);
        Receive<Assign>(OnAssign);
        Receive<Tree>(OnTree);
        Receive<Prefetch>(p =>
        {
            if (Sender.Equals(_coordinator) && _pipeline is { } pipeline && _decoder is { } decoder) pipeline.Feed.Prefetch(p.Shards, decoder.Decoder);
        });
        Receive<WorkDispatcherActor.ShardSum>(OnChildSum);
        Receive<SumChunk>(chunk =>
        {
            _reduction.FromChild(Sender, chunk);
            SendIfComplete();
        });
        Receive<AccumulatorActor.ClippedSum>(OnSum);
    }

    public static Props Props(NodeAgentSettings settings) => Akka.Actor.Props.Create(() => new NodeAgentActor(settings));

    // As on one node (FailurePolicy): a crashed worker is restarted and its micro-batch redone, up to a limit. Past it the
    // failure is not transient (a replica that cannot compute this run's gradients), and a failed loader or accumulator
    // never is: the agent stops, the node leaves, and its shards go to the other nodes.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(-1, -1, error =>
    {
        var child = Sender.Path.Name;
        var decision = FailurePolicy.Decide(child, error, _workerRestarts, _settings.MaxWorkerRestarts);
        switch (decision)
        {
            case FailureDecision.Restart restart:
                _workerRestarts++;
                _log.Warning("node agent: {0}", restart.Reason);
                return Directive.Restart;
            case FailureDecision.Abort abort:
                _log.Error("node agent: {0}; stopping this node's agent (the node leaves the cluster)", abort.Reason);
                Console.Error.WriteLine($"veil node: stopping: {abort.Reason}");
                Context.Stop(Self);
                return Directive.Stop;
            default:
                throw new InvalidOperationException($"unknown failure decision {decision}");
        }
    }, loggingEnabled: false);

    private void OnHello(Hello m)
    {
        var reason =
            m.Plan.DatasetFingerprint != _settings.Fingerprint
                ? $"node {Self.Path.Address}: its dataset fingerprint {Short(_settings.Fingerprint)} differs from run {m.RunId}'s " +
                  $"{Short(m.Plan.DatasetFingerprint)}: " +
                  "this node opened other data; give it the coordinator's veil.data.* settings (same files, same train-examples)"
            : m.Model != _settings.Model
                ? $"node {Self.Path.Address}: it was started for model {_settings.Model}, run {m.RunId} trains {m.Model}; " +
                  "give it the coordinator's veil.model.name, veil.model.weight-standardisation, veil.init.* and veil.public.* (and the same backbone folder)"
            : null;
        if (reason is not null)
        {
            _log.Error(reason);
            Console.Error.WriteLine($"veil node: refusing to join: {reason}");
            Sender.Tell(new WorkDispatcherActor.NodeRefused(reason));
            return;
        }
        if (!Sender.Equals(_coordinator))
        {
            // A new coordinator (first contact, or a hand-over): work of the old one can no longer be delivered, and its parameters
            // are no guide: a resumed run goes back to its checkpoint's version, and an assignment of that version may come before
            // its broadcast (which travels down the tree), so a newer old version must not make it look stale.
            _coordinator = Sender;
            _parameters = null;
            Abandon(_ => true);
            _reduction = new SubtreeSum();
            _routes.Clear();
            _unrouted.Clear();
        }
        // The clip norm decides the privacy guarantee: it comes from the plan, never from this node's configuration.
        if (_pipeline?.ClipNorm != m.Plan.ClipNorm) Build(m.Plan.ClipNorm);
        if (_decoder?.Seed != m.AugmentationSeed) _decoder = (m.AugmentationSeed, _settings.Decoders(m.AugmentationSeed));
        Sender.Tell(new WorkDispatcherActor.NodeReady(_settings.Workers));
    }

    private void Build(double clipNorm)
    {
        Abandon(_ => true);
        foreach (var child in Context.GetChildren()) Context.Stop(child); // the previous plan's pipeline; its loader disposes its feed
        var suffix = ++_generation == 1 ? "" : "-" + _generation; // a stopped child's name stays taken until it has stopped
        var feed = new AssignedWorkFeed(_settings.DecodeParallelism, _settings.MaxBufferedMicroBatches);
        var loader = Context.ActorOf(DataLoaderActor.Props(feed, _settings.MaxBufferedMicroBatches), "loader" + suffix);
        var accumulator = Context.ActorOf(AccumulatorActor.Props(Self), "accumulator" + suffix);
        for (var w = 0; w < _settings.Workers; w++)
        {
            var index = w;
            var props = GradientWorkerActor.Props(loader, accumulator, () => _settings.CreateComputer(index, clipNorm));
            if (_settings.WorkerDispatcher is not null) props = props.WithDispatcher(_settings.WorkerDispatcher);
            Context.ActorOf(props, CoordinatorActor.WorkerNamePrefix + w + suffix);
        }
        _pipeline = new NodePipeline(clipNorm, feed, loader, accumulator);
    }

    private void OnParameters(Parameters p)
    {
        if (_parameters?.Version != p.Version) _parameters = new ParameterSnapshot(p.Version, p.Values);
        _reduction.ParametersArrived(p.Version, Now);
        OpenNext();
    }

    private void OnAssign(Assign a)
    {
        if (!Sender.Equals(_coordinator))
        {
            _log.Warning("node agent: ignoring an assignment from {0}, not the current coordinator {1}", Sender.Path, _coordinator.Path);
            return;
        }
        // The coordinator moves to step s only when every earlier step is summed: older work is moot.
        Abandon(step => step < a.Step);
        _reduction.Assigned(a.Step, Now, Telemetry.VeilTelemetry.StageSeconds("worker"));
        _waiting.Add(a);
        OpenNext();
    }

    private void OnTree(Tree t)
    {
        if (!Sender.Equals(_coordinator))
        {
            _log.Warning("node agent: ignoring a reduction tree from {0}, not the current coordinator {1}", Sender.Path, _coordinator.Path);
            return;
        }
        Abandon(step => step < t.Step);
        if (!_reduction.Place(t, Now)) return;
        if (_routes.Count >= 8) _routes.Clear(); // older steps' broadcasts: long over
        _routes[t.ParametersTransfer] = t.Children;
        var ready = _unrouted.Where(c => c.TransferId == t.ParametersTransfer).ToList();
        _unrouted.RemoveAll(c => c.TransferId == t.ParametersTransfer);
        foreach (var chunk in ready) Forward(chunk);
        SendIfComplete();
    }

    // A broadcast chunk goes on to the children of the tree that named its transfer, as it is: the digest is the sender's.
    private void Forward(TensorChunk chunk)
    {
        if (_routes.TryGetValue(chunk.TransferId, out var children))
        {
            foreach (var child in children) child.Tell(chunk, Self);
            return;
        }
        if (_unrouted.Count > 0 && _unrouted.Count >= 4 * Math.Max(1, chunk.Count)) _unrouted.RemoveAt(0); // a broadcast no tree named
        _unrouted.Add(chunk);
    }

    private void OnChildSum(WorkDispatcherActor.ShardSum sum)
    {
        _reduction.FromChild(Sender, sum);
        SendIfComplete();
    }

    // Slices go up as they are added; the header, small, travels as a checked transfer of its own after the last one.
    private void SendIfComplete()
    {
        if (_reduction.Tree is not { } tree) return;
        foreach (var message in _reduction.Drain(Now))
            if (message is SumChunk chunk) tree.Parent.Tell(chunk, Self);
            else TensorTransfer.Send(tree.Parent, message, _settings.ChunkBytes, Self);
    }

    // One assignment at a time, as one step at a time on one node: the next opens when the open one is summed.
    private void OpenNext()
    {
        while (_open is null && _waiting.Count > 0 && _parameters is { } parameters)
        {
            var next = _waiting[0];
            if (next.Version > parameters.Version) return; // its broadcast has not arrived yet
            _waiting.RemoveAt(0);
            if (next.Version < parameters.Version) continue; // the coordinator has moved past it
            var round = ++_rounds;
            var pipeline = _pipeline!; // assignments come only from a coordinator that said Hello
            _open = (round, next);
            pipeline.Feed.DropBelow(round);
            pipeline.Accumulator.Tell(new AccumulatorActor.Expect(round, next.Shards.Length, parameters.Values.Length));
            pipeline.Feed.Add(round, next.Shards, _decoder!.Value.Decoder);
            pipeline.Loader.Tell(new DataLoaderActor.OpenStep(round, parameters));
        }
    }

    private void OnSum(AccumulatorActor.ClippedSum m)
    {
        if (_open is not { } open || open.Round != m.Step) return; // a round abandoned meanwhile
        _open = null;
        var a = open.Assign;
        _reduction.Summed(a.Step, a.Assignment, a.Shards.Select(s => s.Id.Index).ToArray(), m, Now, Telemetry.VeilTelemetry.StageSeconds("worker"));
        SendIfComplete();
        OpenNext();
    }

    private void Abandon(Func<long, bool> steps)
    {
        _waiting.RemoveAll(a => steps(a.Step));
        if (_open is { } open && steps(open.Assign.Step)) _open = null;
    }

    private double Now => _clock.Elapsed.TotalSeconds;

    private static string Short(string fingerprint) => fingerprint.Length > 12 ? fingerprint[..12] : fingerprint;
}
