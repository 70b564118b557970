using Akka.Actor;
using Akka.Event;
using Veil.Actors.Cluster.Coordination;
using Veil.Actors.Cluster.Transport;
using Veil.Actors.Pipeline;
using Veil.DataLoading.Batching;

namespace Veil.Actors.Cluster.Nodes;

/// <summary>
/// A worker node's agent (at /user/node-agent). It answers the coordinator's <see cref="Hello"/> (refusing
/// when its dataset fingerprint differs), keeps the latest parameter broadcast, decodes the micro-batches it
/// is assigned from its own copy of the data, hands them to its local gradient workers (the pipeline's
/// <see cref="GradientWorkerActor"/>, which see this agent as their loader and accumulator) and sends ONE
/// partial sum per assignment back, chunked. An assignment is computed only at the parameter version it
/// names: if that broadcast has not arrived yet, the assignment waits.
/// </summary>
public sealed class NodeAgentActor : ReceiveActor
{
    public const string Name = "node-agent";

    /// <summary>From a coordinator: the run's dataset fingerprint; the agent answers NodeReady or NodeRefused.</summary>
    /// <param name="AugmentationSeed">Seeds the run's augmentation draws (a one-way hash of its sampler seed, which stays on the coordinator).</param>
    public sealed record Hello(string Fingerprint, string RunId, string Model, double ClipNorm, ulong AugmentationSeed = 0);

    /// <summary>The parameters every worker must compute the step of the same number on (Version = step).</summary>
    public sealed record Parameters(long Version, float[] Values);

    /// <summary>Compute these micro-batches of <paramref name="Step"/> at parameter <paramref name="Version"/>, and send one sum.</summary>
    public sealed record Assign(long Step, long Assignment, long Version, MicroBatchSpec[] Shards);

    private sealed record Decoded(long LocalKey, MicroBatchData Batch);

    private sealed record DecodeFailed(MicroBatchId Id, Exception Error);

    private sealed class Job(Assign assign, ParameterSnapshot parameters, int parameterCount)
    {
        public readonly Assign Assign = assign;
        public readonly ParameterSnapshot Parameters = parameters;
        public readonly float[] Sum = new float[parameterCount];
        public readonly HashSet<int> Done = new();
        public int Examples;
        public double LossSum;
        public int Clipped;
    }

    private readonly NodeAgentSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ChunkReassembler _inbox = new();
    private readonly List<Assign> _waitingForParameters = new();
    private readonly Dictionary<long, Job> _jobs = new();
    private readonly Queue<(MicroBatchSpec Spec, long LocalKey)> _toDecode = new();
    private readonly Queue<MicroBatchData> _ready = new();
    private readonly Queue<IActorRef> _idle = new();
    private readonly HashSet<IActorRef> _idleSet = new();
    private IActorRef _coordinator = ActorRefs.Nobody;
    private ParameterSnapshot? _parameters;
    private long _localKeys;
    private int _decoding;
    private int _workerRestarts;
    private (ulong Seed, IMicroBatchDecoder Decoder)? _decoder; // built at the first Hello, rebuilt if a coordinator brings another seed

    public NodeAgentActor(NodeAgentSettings settings)
    {
        _settings = settings;
        Receive<Hello>(OnHello);
        Receive<TensorChunk>(chunk =>
        {
            switch (_inbox.Accept(chunk))
            {
                case null: break;
                case Parameters p: OnParameters(p); break;
                case var other: _log.Warning("node agent: ignoring a chunked {0}", other.GetType().Name); break;
            }
        });
        Receive<Parameters>(OnParameters);
        Receive<Assign>(OnAssign);
        Receive<Decoded>(m =>
        {
            _decoding--;
            if (_jobs.ContainsKey(m.LocalKey)) _ready.Enqueue(m.Batch);
            DecodeMore();
            Dispatch();
        });
        Receive<DecodeFailed>(m => throw new DataLoadingFailedException(m.Error));
        Receive<DataLoaderActor.RequestWork>(_ =>
        {
            if (_idleSet.Add(Sender)) _idle.Enqueue(Sender);
            Dispatch();
        });
        Receive<DataLoaderActor.ReturnWork>(m =>
        {
            if (_jobs.ContainsKey(m.Batch.Step)) _ready.Enqueue(m.Batch);
            Dispatch();
        });
        Receive<AccumulatorActor.PartialSum>(OnPartial);
    }

    public static Props Props(NodeAgentSettings settings) => Akka.Actor.Props.Create(() => new NodeAgentActor(settings));

    // As on one node (FailurePolicy): a crashed worker is restarted and its micro-batch redone, up to a limit. Past it the
    // failure is not transient (a replica that cannot compute this run's gradients): the agent stops, the node leaves,
    // and its shards go to the other nodes, instead of restarting the same failing worker for ever.
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

    protected override void PreStart()
    {
        for (var w = 0; w < _settings.Workers; w++)
        {
            var index = w;
            var props = GradientWorkerActor.Props(Self, Self, () => _settings.CreateComputer(index));
            if (_settings.WorkerDispatcher is not null) props = props.WithDispatcher(_settings.WorkerDispatcher);
            Context.ActorOf(props, CoordinatorActor.WorkerNamePrefix + w);
        }
    }

    private void OnHello(Hello m)
    {
        var reason =
            m.Fingerprint != _settings.Fingerprint
                ? $"node {Self.Path.Address}: its dataset fingerprint {Short(_settings.Fingerprint)} differs from run {m.RunId}'s {Short(m.Fingerprint)}: " +
                  "this node opened other data; give it the coordinator's veil.data.* settings (same files, same train-examples)"
            : m.Model != _settings.Model
                ? $"node {Self.Path.Address}: it was started for model {_settings.Model}, run {m.RunId} trains {m.Model}; give it the coordinator's veil.model.name, veil.model.weight-standardisation, veil.init.* and veil.public.* (and the same backbone folder)"
            : m.ClipNorm != _settings.ClipNorm
                ? $"node {Self.Path.Address}: it clips to C = {_settings.ClipNorm}, run {m.RunId} to C = {m.ClipNorm}; give it the coordinator's veil.dp.clip-norm"
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
            // A new coordinator (first contact, or a hand-over): work of the old one can no longer be delivered.
            _coordinator = Sender;
            DropJobs(_ => true);
            _waitingForParameters.Clear();
        }
        if (_decoder?.Seed != m.AugmentationSeed) _decoder = (m.AugmentationSeed, _settings.Decoders(m.AugmentationSeed));
        Sender.Tell(new WorkDispatcherActor.NodeReady(_settings.Workers));
    }

    private void OnParameters(Parameters p)
    {
        if (_parameters is not null && p.Version == _parameters.Version) return;
        _parameters = new ParameterSnapshot(p.Version, p.Values);
        var startable = _waitingForParameters.Where(a => a.Version == p.Version).ToList();
        _waitingForParameters.RemoveAll(a => a.Version <= p.Version);
        foreach (var a in startable) StartJob(a);
    }

    private void OnAssign(Assign a)
    {
        if (!Sender.Equals(_coordinator) && !_coordinator.IsNobody())
        {
            _log.Warning("node agent: ignoring an assignment from {0}, not the current coordinator {1}", Sender.Path, _coordinator.Path);
            return;
        }
        // The coordinator moves to step s only when every earlier step is summed: older work is moot.
        DropJobs(job => job.Assign.Step < a.Step);
        if (_parameters?.Version == a.Version) StartJob(a);
        else _waitingForParameters.Add(a);
    }

    private void StartJob(Assign a)
    {
        var parameters = _parameters!;
        if (parameters.Version != a.Version)
            throw new InvalidOperationException($"assignment {a.Assignment} of step {a.Step} needs parameter version {a.Version}, this node holds {parameters.Version}");
        var key = ++_localKeys;
        var job = new Job(a, parameters, parameters.Values.Length);
        _jobs[key] = job;
        if (a.Shards.Length == 0)
        {
            Complete(key, job);
            return;
        }
        foreach (var spec in a.Shards) _toDecode.Enqueue((spec, key));
        DecodeMore();
    }

    private void DecodeMore()
    {
        while (_decoding < Math.Max(1, _settings.DecodeParallelism) && _toDecode.Count > 0)
        {
            var (spec, key) = _toDecode.Dequeue();
            if (!_jobs.ContainsKey(key)) continue;
            _decoding++;
            var decoder = _decoder!.Value.Decoder; // assignments come only from a coordinator that said Hello
            // The batch is relabelled with this node's job key: the same step may come twice (a hand-over), each its own job.
            Task.Run(() => decoder.Decode(spec) with { Step = key, Index = spec.Id.Index }).PipeTo(Self,
                success: batch => new Decoded(key, batch),
                failure: e => new DecodeFailed(spec.Id, e));
        }
    }

    private void Dispatch()
    {
        while (_ready.Count > 0 && _idle.Count > 0)
        {
            var batch = _ready.Dequeue();
            if (!_jobs.TryGetValue(batch.Step, out var job)) continue;
            if (job.Parameters.Version != job.Assign.Version)
                throw new InvalidOperationException($"refusing to compute step {job.Assign.Step} at parameter version {job.Parameters.Version}");
            var worker = _idle.Dequeue();
            _idleSet.Remove(worker);
            worker.Tell(new GradientWorkerActor.Work(batch, job.Parameters));
        }
    }

    private void OnPartial(AccumulatorActor.PartialSum m)
    {
        if (!_jobs.TryGetValue(m.Id.Step, out var job)) return; // a job dropped meanwhile
        if (!job.Done.Add(m.Id.Index)) return; // redone after a worker restart, and the first result did arrive
        var part = m.Partial.ClippedSum;
        if (part.Length != job.Sum.Length)
            throw new InvalidOperationException($"micro-batch {m.Id.Index} of step {job.Assign.Step} has {part.Length} gradient coordinates, the parameters {job.Sum.Length}");
        for (var i = 0; i < part.Length; i++) job.Sum[i] += part[i];
        job.Examples += m.Partial.Examples;
        job.LossSum += m.Partial.LossSum;
        job.Clipped += m.Partial.ClippedExamples;
        if (job.Done.Count == job.Assign.Shards.Length) Complete(m.Id.Step, job);
    }

    private void Complete(long key, Job job)
    {
        _jobs.Remove(key);
        var shards = job.Assign.Shards.Select(s => s.Id.Index).ToArray();
        TensorTransfer.Send(_coordinator, new WorkDispatcherActor.ShardSum(job.Assign.Step, job.Assign.Assignment, shards, job.Sum, job.Examples, job.LossSum, job.Clipped),
            _settings.ChunkBytes, Self);
    }

    private void DropJobs(Func<Job, bool> which)
    {
        foreach (var key in _jobs.Where(kv => which(kv.Value)).Select(kv => kv.Key).ToList()) _jobs.Remove(key);
    }

    private static string Short(string fingerprint) => fingerprint.Length > 12 ? fingerprint[..12] : fingerprint;
}
