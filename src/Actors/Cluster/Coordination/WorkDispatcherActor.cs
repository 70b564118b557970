using System.Diagnostics;
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
/// (the shards) over the ready worker nodes, places the nodes in a reduction tree (<see cref="ReductionTree"/>),
/// sends the parameters of the step's version once, to the tree's root (each node forwards them to its children),
/// and passes the root's one sum of the step to the accumulator, naming the shards it covers. The coordinator's
/// traffic per step is therefore one parameter copy out and one sum in, whatever the number of nodes. A node that
/// becomes unreachable or leaves, or whose agent stops, has its shards handed to the others and the step's tree is
/// shaped again (a new epoch, <see cref="StepReduction"/>): exactly once holds because only a sum of the current
/// epoch that covers every shard of the step once is counted. A node that joins gets work from the next step.
/// Step 0 waits for min-workers.
/// </summary>
public sealed class WorkDispatcherActor : ReceiveActor
{
    /// <summary>A node agent accepted the run (its fingerprint matches) and has this many gradient workers.</summary>
    public sealed record NodeReady(int Workers);

    /// <summary>A node agent refused the run; the reason names the mismatch and the fix.</summary>
    public sealed record NodeRefused(string Reason);

    /// <summary>
    /// A subtree's sum of one step in one epoch of its reduction: a node's own assignments plus its children's sums, sent
    /// to its parent (the root's goes to the coordinator). <paramref name="Shards"/> names every micro-batch it covers;
    /// <paramref name="Tree"/> names the tree it was reduced along (<see cref="NodeAgentActor.Tree.ParametersTransfer"/>, fresh for every
    /// epoch of every coordinator), so that a sum of another coordinator's step of the same number and epoch is never taken for it.
    /// <paramref name="SumChunks"/> = 0: <paramref name="Sum"/> holds the sum whole (empty: the subtree had no work); n &gt; 0: this is the
    /// header of a sum that went up in n <see cref="SumChunk"/>s before it, and <paramref name="Sum"/> is empty.
    /// </summary>
    public sealed record ShardSum(
        long Step, int Epoch, Guid Tree, int[] Shards, float[] Sum, int Examples, double LossSum, int ClippedExamples, NodeTimes? Times = null,
        int SumChunks = 0);

    private sealed record Node(IActorRef Agent, int Workers);

    private readonly WorkDispatcherSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ChunkReassembler _inbox = new();
    private readonly Dictionary<IActorRef, Node> _nodes = new(); // by agent: one per node
    private readonly List<MicroBatchSpec> _orphans = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _step = -1;
    private ParameterSnapshot? _parameters;
    private StepReduction? _reduction;
    private IncomingSum? _rootSum;
    private bool _started;
    private long _nextAssignment;
    private (long Step, double Opened, double Dispatched, double Summed, NodeTimes Nodes)? _timing;
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
        Receive<ClusterEvent.MemberRemoved>(m =>
        {
            Lost(m.Member.Address, "removed");
            if (m.Member.HasRole(Configuration.ClusterSettings.WorkerRole))
                _settings.Log?.WriteLine($"cluster: worker node {m.Member.Address} removed from the cluster");
        });
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
            if (_inbox.Accept(chunk) is ShardSum sum) OnRootSum(sum);
        });
        Receive<ShardSum>(OnRootSum);
        Receive<SumChunk>(chunk =>
        {
            if (_reduction is { } r && chunk.Step == r.Step && chunk.Epoch == r.Epoch && chunk.Tree == r.Tree) RootSum(r).Accept(chunk);
        });
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
        if (_orphans.Count > 0 && _parameters is not null && _reduction is { Counted: false })
        {
            var orphans = _orphans.ToArray();
            _orphans.Clear();
            Distribute(orphans);
            Route();
        }
    }

    private void OnOpenStep(DataLoaderActor.OpenStep m)
    {
        if (m.Parameters.Version != m.Step)
            throw new InvalidOperationException(
                $"step {m.Step} opened with parameter version {m.Parameters.Version}: every step is computed at the version of its own number");
        CloseTiming();
        _step = m.Step;
        _parameters = m.Parameters;
        _reduction = new StepReduction(m.Step, m.Parameters.Version);
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
        var opened = _clock.Elapsed.TotalSeconds;
        var plan = _settings.PlanStep(_step);
        if (plan.Step != _step) throw new InvalidOperationException($"the sampler planned step {plan.Step} when asked for step {_step}");
        var shards = plan.MicroBatches.ToArray();
        if (shards.Length == 0) return; // the accumulator completes an empty step by itself
        Distribute(shards);
        Route();
        _timing = (_step, opened, _clock.Elapsed.TotalSeconds, double.NaN, NodeTimes.Zero);
        PrefetchNext();
    }

    // The next step's plan is known now: each node decodes the shards it will get (if no node joins or leaves) while this step
    // computes. Only a speed-up: a plan that cannot be made ahead (past the run's last step) is simply not prefetched.
    private void PrefetchNext()
    {
        MicroBatchSpec[] next;
        try
        {
            next = _settings.PlanStep(_step + 1).MicroBatches.ToArray();
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            return;
        }
        foreach (var (agent, block) in Split(next)) agent.Tell(new NodeAgentActor.Prefetch(_step + 1, block));
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
        foreach (var (agent, block) in Split(shards))
        {
            var id = ++_nextAssignment;
            _reduction!.Assigned(id, agent, block);
            agent.Tell(new NodeAgentActor.Assign(_step, id, _parameters!.Version, block));
        }
    }

    private IEnumerable<(IActorRef Agent, MicroBatchSpec[] Block)> Split(MicroBatchSpec[] shards)
    {
        var nodes = Ordered();
        var totalWorkers = nodes.Sum(n => _nodes[n].Workers);
        var given = 0;
        var workersSoFar = 0;
        foreach (var agent in nodes)
        {
            workersSoFar += _nodes[agent].Workers;
            var until = (int)((long)shards.Length * workersSoFar / totalWorkers);
            if (until <= given) continue;
            yield return (agent, shards[given..until]);
            given = until;
        }
    }

    // A new epoch of the step's reduction: every ready node gets its place in the tree, and the root one parameter copy.
    private void Route()
    {
        if (_nodes.Count == 0) return;
        var transfer = Guid.NewGuid();
        var chunks = SumChunk.CountFor(_parameters!.Values.Length, _settings.ChunkBytes);
        var places = _reduction!.Shape(Ordered(), Self, transfer, _settings.FanIn, chunks);
        foreach (var (node, tree) in places) node.Tell(tree);
        TensorTransfer.Send(_reduction.Root!, new NodeAgentActor.Parameters(_parameters!.Version, _parameters.Values), _settings.ChunkBytes, Self, transfer);
    }

    private List<IActorRef> Ordered() =>
        _nodes.Keys.OrderBy(a => a.Path.ToStringWithAddress(AddressOf(a)), StringComparer.Ordinal).ToList();

    // The root's sum comes chunk by chunk, then its header; only the current tree's is gathered, a stale one is simply not.
    private IncomingSum RootSum(StepReduction r)
    {
        if (_rootSum is not { } sum || sum.Tree != r.Tree) _rootSum = sum = new IncomingSum(r.Step, r.Epoch, r.Tree);
        return sum;
    }

    private void OnRootSum(ShardSum s)
    {
        if (s.SumChunks == 0)
        {
            OnShardSum(s);
            return;
        }
        if (_reduction is not { } r || s.Step != r.Step || s.Epoch != r.Epoch || s.Tree != r.Tree) return;
        var incoming = RootSum(r);
        incoming.Accept(s);
        if (incoming.Whole() is not { } whole) return;
        _rootSum = null;
        OnShardSum(whole);
    }

    private void OnShardSum(ShardSum s)
    {
        if (_reduction is not { } reduction || s.Step != reduction.Step) return; // a late sum of a finished step
        if (!reduction.Accept(s, out var reason))
        {
            // An earlier epoch's, or another coordinator's: its shards are in the current tree's sum.
            if (s.Epoch != reduction.Epoch || s.Tree != reduction.Tree || reduction.Counted) return;
            _log.Error("refusing a sum: {0}; shaping the step's tree again", reason);
            Route();
            return;
        }
        if (_timing is { } t && t.Step == s.Step) _timing = t with { Summed = _clock.Elapsed.TotalSeconds, Nodes = s.Times ?? NodeTimes.Zero };
        var first = s.Shards.Length > 0 ? s.Shards.Min() : -1;
        _settings.Accumulator.Tell(new AccumulatorActor.PartialSum(new MicroBatchId(s.Step, first),
            new PartialGradient(s.Sum, s.Examples, s.LossSum, s.ClippedExamples), default, s.Shards));
    }

    private void CloseTiming()
    {
        if (_timing is not { } t || double.IsNaN(t.Summed)) return;
        var now = _clock.Elapsed.TotalSeconds;
        var wait = t.Summed - t.Dispatched;
        var nodes = t.Nodes.Parameters + t.Nodes.Compute + t.Nodes.Children;
        ClusterStepTimes.Record(t.Step, new StepTimes(t.Dispatched - t.Opened, t.Nodes, Math.Max(0, wait - nodes), now - t.Summed, now - t.Opened));
        _timing = null;
    }

    private void Lost(Address address, string why)
    {
        foreach (var agent in _nodes.Keys.Where(a => AddressOf(a) == address).ToList()) Lost(agent, why);
    }

    private void Lost(IActorRef agent, string why)
    {
        if (!_nodes.Remove(agent)) return;
        Context.Unwatch(agent);
        if (_reduction is not { Counted: false } reduction || !reduction.Involves(agent))
        {
            _settings.Log?.WriteLine($"cluster: worker node {AddressOf(agent)} {why}; {_nodes.Count} node(s) left");
            return;
        }
        var shards = reduction.Orphan(agent);
        _settings.Log?.WriteLine($"cluster: worker node {AddressOf(agent)} {why}; {shards.Length} micro-batch(es) of step {_step} " +
            $"handed to the {_nodes.Count} other node(s), the step's reduction tree shaped again");
        Distribute(shards);
        if (_orphans.Count == 0) Route();
    }

    private Address AddressOf(IActorRef actor) =>
        actor.Path.Address.HasLocalScope ? _cluster.SelfAddress : actor.Path.Address;
}
