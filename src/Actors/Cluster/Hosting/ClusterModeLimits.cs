using Veil.Actors.Configuration;

namespace Veil.Actors.Cluster.Hosting;

/// <summary>
/// What cluster training does not run, refused before a node starts: a last-layer fit (a few linear-algebra
/// releases on one node, not per-step gradients). Fine-tuning from a backbone and public/private splits do run:
/// every node builds its replicas as the coordinator does (RunModels) and the Hello compares their identities.
/// </summary>
public static class ClusterModeLimits
{
    public static void Check(Akka.Configuration.Config config)
    {
        if (LastLayerSettings.Mode(config) == RunMode.LastLayer)
            throw new ConfigurationException("veil.mode = last-layer runs on one node (its work is a few linear-algebra releases, not per-step gradients); " +
                "set veil.cluster.enabled = false");
    }
}
