using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Veil.Actors.Cluster.Nodes;
using Veil.Actors.Cluster.Transport;
using Veil.Actors.Pipeline;
using Veil.DataLoading.Batching;

namespace Veil.Actors.Cluster.Coordination;

/// <summary>
/// The coordinator's side of cluster training, in the place the single-node pipeline has its data loader:
/// it receives the same <see cref="DataLoaderActor.OpenStep"/>, splits the step's sampled micro-batches
/// (the shards) over the ready worker nodes, broadcasts the parameters of that version to each first,
/// and passes each node's one partial sum to the accumulator, naming the shards it covers (the accumulator
/// counts each shard exactly once). A node that becomes unreachable or leaves, or whose agent stops, has its
/// unfinished shards handed to the others; a node that joins gets work from the next step. Step 0 waits for
/// min-workers.
/// </summary>
public sealed class WorkDispatcherActor : ReceiveActor
{
    /// <summary>A node agent accepted the run (its fingerprint matches) and has this many gradient workers.</summary>
    public sealed record NodeReady(int Workers);

    /// <summary>A node agent refused the run; the reason names the mismatch and the fix.</summary>
    public sealed record NodeRefused(string Reason);

    /// <summary>One node's sum over the micro-batches (shards) of one assignment.</summary>
    public sealed record ShardSum(long Step, long Assignment, int[] Shards, float[] Sum, int Examples, double LossSum, int ClippedExamples);

    private sealed record Node(IActorRef Agent, int Workers)
    {
        public long ParametersSent = -1;
    }

    private readonly WorkDispatcherSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ChunkReassembler _inbox = new();
    private readonly Dictionary<IActorRef, Node> _nodes = new(); // by agent: one per node
    private readonly Dictionary<long, (IActorRef Agent, MicroBatchSpec[] Shards)> _pending = new();
    private readonly List<MicroBatchSpec> _orphans = new();
    private long _step = -1;
    private ParameterSnapshot? _parameters;
    private bool _started;
    private long _nextAssignment;

    public WorkDispatcherActor(WorkDispatcherSettings settings)
    {
        _settings = settings;
        Receive<DataLoaderActor.OpenStep>(OnOpenStep);
        Receive<ClusterEvent.CurrentClusterState>(s =>
        {
            foreach (var m in s.Members.Where(m => m.Status == MemberStatus.Up)) Greet(m);
        });
        Receive<ClusterEvent.MemberUp>(m => Greet(m.Member));
        Receive<ClusterEvent.ReachableMember>(m => Greet(m.Member));
        Receive<ClusterEvent.UnreachableMember>(m => Lost(m.Member.Address, "unreachable"));
        Receive<ClusterEvent.MemberRemoved>(m => Lost(m.Member.Address, "removed"));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<Terminated>(t => Lost(t.ActorRef, "lost its node agent"));
        Receive<NodeReady>(OnReady);
        Receive<NodeRefused>(m =>
        {
            _log.Error("a worker node refused run {0}: {1}", _settings.RunId, m.Reason);
            _settings.Log?.WriteLine($"cluster: a worker node refused the run: {m.Reason}");
        });
        Receive<TensorChunk>(chunk =>
        {
            if (_inbox.Accept(chunk) is ShardSum sum) OnShardSum(sum);
        });
        Receive<ShardSum>(OnShardSum);
    }

    public static Props Props(WorkDispatcherSettings settings) => Akka.Actor.Props.Create(() => new WorkDispatcherActor(settings));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Greet(Member member)
    {
        if (!member.HasRole(Configuration.ClusterSettings.WorkerRole)) return;
        Context.ActorSelection(new RootActorPath(member.Address) / "user" / NodeAgentActor.Name)
            .Tell(new NodeAgentActor.Hello(_settings.Plan, _settings.RunId, _settings.Model, _settings.AugmentationSeed));
    }

    private void OnReady(NodeReady m)
    {
        var fresh = !_nodes.ContainsKey(Sender);
        _nodes[Sender] = new Node(Sender, Math.Max(1, m.Workers));
        Context.Watch(Sender);
        if (fresh) _settings.Log?.WriteLine($"cluster: worker node {AddressOf(Sender)} ready ({m.Workers} worker(s)); {_nodes.Count} node(s)");
        if (!_started)
        {
            if (_parameters is not null && _nodes.Count >= _settings.MinWorkers) AssignStep();
            return;
        }
        if (_orphans.Count > 0 && _parameters is not null)
        {
            var orphans = _orphans.ToArray();
            _orphans.Clear();
            Distribute(orphans);
        }
    }

    private void OnOpenStep(DataLoaderActor.OpenStep m)
    {
        if (m.Parameters.Version != m.Step)
            throw new InvalidOperationException(
                $"step {m.Step} opened with parameter version {m.Parameters.Version}: every step is computed at the version of its own number");
        _step = m.Step;
        _parameters = m.Parameters;
        _pending.Clear();
        _orphans.Clear();
        if (!_started && _nodes.Count < _settings.MinWorkers)
        {
            _settings.Log?.WriteLine(
                $"cluster: waiting for {_settings.MinWorkers} worker node(s) (veil.cluster.min-workers) before step {m.Step}; {_nodes.Count} ready");
            return;
        }
        AssignStep();
    }

    private void AssignStep()
    {
        _started = true;
        var plan = _settings.PlanStep(_step);
        if (plan.Step != _step) throw new InvalidOperationException($"the sampler planned step {plan.Step} when asked for step {_step}");
        Distribute(plan.MicroBatches.ToArray());
    }

    // Contiguous blocks of shards, in proportion to each node's workers.
    private void Distribute(MicroBatchSpec[] shards)
    {
        if (shards.Length == 0) return;
        if (_nodes.Count == 0)
        {
            _orphans.AddRange(shards);
            _settings.Log?.WriteLine($"cluster: no worker node is ready; {shards.Length} micro-batch(es) of step {_step} wait for one to join");
            return;
        }
        var nodes = _nodes.OrderBy(n => n.Key.Path.ToStringWithAddress(AddressOf(n.Key)), StringComparer.Ordinal).ToList();
        var totalWorkers = nodes.Sum(n => n.Value.Workers);
        var given = 0;
        var workersSoFar = 0;
        foreach (var (agent, node) in nodes)
        {
            workersSoFar += node.Workers;
            var until = (int)((long)shards.Length * workersSoFar / totalWorkers);
            if (until <= given) continue;
            var block = shards[given..until];
            given = until;
            if (node.ParametersSent != _parameters!.Version)
            {
                TensorTransfer.Send(node.Agent, new NodeAgentActor.Parameters(_parameters.Version, _parameters.Values), _settings.ChunkBytes, Self);
                node.ParametersSent = _parameters.Version;
            }
            var id = ++_nextAssignment;
            _pending[id] = (agent, block);
            node.Agent.Tell(new NodeAgentActor.Assign(_step, id, _parameters.Version, block));
        }
    }

    private void OnShardSum(ShardSum s)
    {
        if (s.Step != _step) return; // a late sum of a finished step
        _pending.Remove(s.Assignment);
        var first = s.Shards.Length > 0 ? s.Shards[0] : -1;
        _settings.Accumulator.Tell(new AccumulatorActor.PartialSum(new MicroBatchId(s.Step, first),
            new PartialGradient(s.Sum, s.Examples, s.LossSum, s.ClippedExamples), default, s.Shards));
    }

    private void Lost(Address address, string why)
    {
        foreach (var agent in _nodes.Keys.Where(a => AddressOf(a) == address).ToList()) Lost(agent, why);
    }

    private void Lost(IActorRef agent, string why)
    {
        if (!_nodes.Remove(agent)) return;
        Context.Unwatch(agent);
        var unfinished = _pending.Where(p => p.Value.Agent.Equals(agent)).ToList();
        foreach (var p in unfinished) _pending.Remove(p.Key);
        var shards = unfinished.SelectMany(p => p.Value.Shards).ToArray();
        _settings.Log?.WriteLine($"cluster: worker node {AddressOf(agent)} {why}; " +
            $"{shards.Length} unfinished micro-batch(es) of step {_step} handed to the {_nodes.Count} other node(s)");
        Distribute(shards);
    }

    private Address AddressOf(IActorRef actor) =>
        actor.Path.Address.HasLocalScope ? _cluster.SelfAddress : actor.Path.Address;
}
