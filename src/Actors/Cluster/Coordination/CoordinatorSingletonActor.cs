using Akka.Actor;
using Veil.Actors.Pipeline;
using Veil.Actors.Training;

namespace Veil.Actors.Cluster.Coordination;

/// <summary>
/// The cluster singleton (role coordinator). When it starts — first, or on another node after a hand-over —
/// it prepares the run (a new one, or the run in progress resumed from its newest checkpoint and the ledger,
/// as a single-node resume does), and runs the unchanged pipeline coordinator as its child, with the
/// <see cref="WorkDispatcherActor"/> in place of local workers. Its children stop before it does, so
/// a hand-over never has two coordinators appending to the ledger at once.
/// </summary>
public sealed class CoordinatorSingletonActor : ReceiveActor
{
    private sealed class Begin
    {
        public static readonly Begin Instance = new();
    }

    private readonly ClusterRun _run;
    private PreparedRun? _prepared;
    private IActorRef _coordinator = ActorRefs.Nobody;

    public CoordinatorSingletonActor(ClusterRun run)
    {
        _run = run;
        Receive<Begin>(_ => OnBegin());
        Receive<CoordinatorActor.Finished>(Complete);
        Receive<CoordinatorActor.Failed>(Complete);
        Receive<Terminated>(t =>
        {
            if (t.ActorRef.Equals(_coordinator))
                End(false, $"the coordinator of run {_prepared?.RunId} crashed; the run is resumable from {_prepared?.RunPath}");
        });
    }

    public static Props Props(ClusterRun run) => Akka.Actor.Props.Create(() => new CoordinatorSingletonActor(run));

    protected override void PreStart() => Self.Tell(Begin.Instance);

    protected override void PostStop()
    {
        _prepared?.Dispose();
        _prepared = null;
    }

    private void OnBegin()
    {
        try
        {
            if (_run.FinishedRun() is { } done)
            {
                End(true, done);
                return;
            }
            _prepared = _run.Prepare(Context.System);
        }
        catch (Exception e)
        {
            End(false, e.Message);
            return;
        }
        _coordinator = Context.ActorOf(CoordinatorActor.Props(_prepared.Parts, _prepared.OnStep), "coordinator");
        Context.Watch(_coordinator);
        _coordinator.Tell(CoordinatorActor.Start.Instance);
    }

    private void Complete(object outcome)
    {
        Context.Unwatch(_coordinator);
        try
        {
            var result = _prepared!.Complete(outcome);
            End(true, result.RunDirectory);
        }
        catch (Exception e)
        {
            End(false, e.Message);
        }
    }

    private void End(bool succeeded, string message)
    {
        _run.Log.WriteLine(succeeded ? $"cluster: run finished: {message}" : $"cluster: run failed: {message}");
        RunWatcherActor.TellEveryNode(Context.System, new RunWatcherActor.RunEnded(_prepared?.RunId ?? "", succeeded, message));
        Become(() => ReceiveAny(_ => { }));
    }
}
