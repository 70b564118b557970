using Akka.Actor;

namespace Veil.Actors.Cluster.Coordination;

/// <summary>
/// On every node (/user/run-watcher): learns from the coordinator singleton, wherever it runs, that the
/// run ended, so the processes that started it can report and exit.
/// </summary>
public sealed class RunWatcherActor : ReceiveActor
{
    public const string Name = "run-watcher";

    /// <summary>The run ended: <paramref name="Message"/> is the result's folder when it succeeded, else the reason.</summary>
    public sealed record RunEnded(string RunId, bool Succeeded, string Message);

    public RunWatcherActor(TaskCompletionSource<RunEnded> ended) => Receive<RunEnded>(m => ended.TrySetResult(m));

    public static Props Props(TaskCompletionSource<RunEnded> ended) => Akka.Actor.Props.Create(() => new RunWatcherActor(ended));

    /// <summary>Tells every member's watcher (this node's included).</summary>
    public static void TellEveryNode(ActorSystem system, RunEnded message)
    {
        foreach (var member in Akka.Cluster.Cluster.Get(system).State.Members)
            system.ActorSelection(new RootActorPath(member.Address) / "user" / Name).Tell(message);
    }
}
