using Veil.Actors.Configuration;

namespace Veil.Actors.Cluster.Hosting;

/// <summary>
/// What cluster training does not run (yet), refused before a node starts: worker nodes build their model
/// replicas from veil.model alone, so a run whose replicas need more (a backbone, a relabelled private task,
/// a last-layer fit) would compute gradients of a different model than the coordinator's.
/// </summary>
public static class ClusterModeLimits
{
    public static void Check(Akka.Configuration.Config config)
    {
        if (LastLayerSettings.Mode(config) == "last-layer")
            throw new ConfigurationException("veil.mode = last-layer runs on one node (its work is a few linear-algebra releases, not per-step gradients); set veil.cluster.enabled = false");
        var t = TrainingSettings.Create(config);
        if (t.Initialisation.FromBackbone)
            throw new ConfigurationException($"veil.init.from = \"{t.Initialisation.From}\": fine-tuning from a backbone is not supported in cluster mode yet (worker nodes build their replicas from veil.model only); remove veil.init.from or set veil.cluster.enabled = false");
        if (t.PublicSplit.Split != PublicSplitSettings.None.Split)
            throw new ConfigurationException($"veil.public.split = {t.PublicSplit.Split}: public/private splits are not supported in cluster mode yet (worker nodes load the whole train split); remove veil.public or set veil.cluster.enabled = false");
    }
}
