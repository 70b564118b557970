using Akka.Configuration;

namespace Veil.Actors.Training;

/// <summary>The actor system's own settings: workers on dedicated threads (their handlers block on TorchSharp).</summary>
public static class PipelineActorSystem
{
    public static Config Config { get; } = ConfigurationFactory.ParseString("""
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          # A failed coordinator must stop (and the run end, resumable), never be silently restarted.
          actor.guardian-supervisor-strategy = "Akka.Actor.StoppingSupervisorStrategy"
        }
        veil-worker-dispatcher {
          type = PinnedDispatcher
          executor = thread-pool-executor
        }
        """);
}
