using System.Globalization;
using Akka.Configuration;
using Veil.Actors.Configuration;
using Veil.Actors.Training;

namespace Veil.Actors.Cluster.Hosting;

/// <summary>
/// The Akka configuration of a cluster node, built once from <see cref="ClusterSettings"/>: remoting on
/// the given address, the split-brain resolver (keep-majority) as downing provider, the coordinator
/// singleton's role, and the serializers that keep tensors binary and raw examples local.
/// </summary>
public static class ClusterActorSystem
{
    public const string SystemName = "veil";

    public static Config Config(ClusterSettings s)
    {
        string Seconds(double v) => v.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        string Quoted(IEnumerable<string> items) => string.Join(", ", items.Select(i => "\"" + i + "\""));
        var text = $$"""
            akka {
              actor {
                provider = cluster
                serializers {
                  veil-cluster = "Veil.Actors.Cluster.Transport.ClusterMessageSerializer, veil"
                  veil-raw-examples = "Veil.Actors.Cluster.Transport.RawExamplesSerializer, veil"
                }
                serialization-bindings {
                  "Veil.Actors.Cluster.Transport.TensorChunk, veil" = veil-cluster
                  "Veil.Actors.Cluster.Transport.SumChunk, veil" = veil-cluster
                  "Veil.Actors.Cluster.Nodes.NodeAgentActor+Hello, veil" = veil-cluster
                  "Veil.Actors.Cluster.Nodes.NodeAgentActor+Assign, veil" = veil-cluster
                  "Veil.Actors.Cluster.Nodes.NodeAgentActor+Parameters, veil" = veil-cluster
                  "Veil.Actors.Cluster.Nodes.NodeAgentActor+Tree, veil" = veil-cluster
                  "Veil.Actors.Cluster.Nodes.NodeAgentActor+Prefetch, veil" = veil-cluster
                  "Veil.Actors.Cluster.Coordination.WorkDispatcherActor+NodeReady, veil" = veil-cluster
                  "Veil.Actors.Cluster.Coordination.WorkDispatcherActor+NodeRefused, veil" = veil-cluster
                  "Veil.Actors.Cluster.Coordination.WorkDispatcherActor+ShardSum, veil" = veil-cluster
                  "Veil.Actors.Cluster.Coordination.RunWatcherActor+RunEnded, veil" = veil-cluster
                  "Veil.DataLoading.Batching.MicroBatchData, Veil.DataLoading" = veil-raw-examples
                  "Veil.Actors.Pipeline.GradientWorkerActor+Work, veil" = veil-raw-examples
                }
              }
              remote {
                log-remote-lifecycle-events = off
                dot-netty.tcp {
                  hostname = "{{s.Hostname}}"
                  port = {{s.Port}}
                  maximum-frame-size = {{s.MaximumFrameBytes}}b
                  send-buffer-size = {{Math.Max(256 * 1024, 2 * s.MaximumFrameBytes)}}b
                  receive-buffer-size = {{Math.Max(256 * 1024, 2 * s.MaximumFrameBytes)}}b
                }
                watch-failure-detector.acceptable-heartbeat-pause = {{Seconds(s.HeartbeatPauseSeconds)}}
              }
              cluster {
                seed-nodes = [{{Quoted(s.SeedNodes)}}]
                roles = [{{Quoted(s.Roles)}}]
                log-info = off
                failure-detector {
                  heartbeat-interval = 500ms
                  acceptable-heartbeat-pause = {{Seconds(s.HeartbeatPauseSeconds)}}
                }
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-majority
                  stable-after = {{Seconds(s.DownAfterSeconds)}}
                }
                singleton {
                  role = "{{ClusterSettings.CoordinatorRole}}"
                  hand-over-retry-interval = 500ms
                }
                singleton-proxy.singleton-identification-interval = 500ms
              }
              # Leaving is explicit (ClusterNode.Leave); a terminated system just vanishes, as a crashed node does.
              coordinated-shutdown.exit-clr = off
              coordinated-shutdown.run-by-actor-system-terminate = off
            }
            """;
        return ConfigurationFactory.ParseString(text).WithFallback(PipelineActorSystem.Config);
    }
}
