using Akka.Configuration;

namespace Veil.Actors.Configuration;

/// <summary>`veil.cluster.*`: whether a run spans nodes, this node's roles and address, the transport's sizes and the reduction tree's shape.</summary>
public sealed record ClusterSettings(
    bool Enabled, IReadOnlyList<string> Roles, string Hostname, int Port, IReadOnlyList<string> SeedNodes,
    int MinWorkers, int ChunkBytes, int MaximumFrameBytes, double DownAfterSeconds, double HeartbeatPauseSeconds, int ReductionFanIn = 2)
{
    public const string CoordinatorRole = "coordinator";
    public const string WorkerRole = "worker";
    public static readonly IReadOnlyList<string> KnownRoles = [CoordinatorRole, WorkerRole];

    public bool IsCoordinator => Roles.Contains(CoordinatorRole);

    public bool IsWorker => Roles.Contains(WorkerRole);

    public static ClusterSettings Create(Config c)
    {
        int Int(string key, int min, int max) =>
            (int)ConfigReading.Double(c, key, v => v >= min && v <= max && v == Math.Floor(v), $"integers [{min}, {max}]");
        var roles = c.GetStringList("veil.cluster.roles");
        if (roles.Count == 0) throw new ConfigurationException("veil.cluster.roles is empty; expected [coordinator], [worker] or both");
        foreach (var role in roles)
            if (!KnownRoles.Contains(role))
                throw new ConfigurationException($"veil.cluster.roles contains \"{role}\"; expected only {string.Join(" and ", KnownRoles)}");
        var seeds = c.GetStringList("veil.cluster.seed-nodes");
        foreach (var seed in seeds)
            if (!seed.StartsWith("akka.tcp://veil@", StringComparison.Ordinal))
                throw new ConfigurationException($"veil.cluster.seed-nodes contains \"{seed}\"; expected addresses like akka.tcp://veil@127.0.0.1:4053");
        var chunk = Int("veil.cluster.chunk-bytes", 1024, 64 << 20);
        var frame = Int("veil.cluster.maximum-frame-bytes", 32 * 1024, 256 << 20);
        if (chunk + 4096 > frame)
            throw new ConfigurationException(
                $"veil.cluster.chunk-bytes = {chunk} does not fit below veil.cluster.maximum-frame-bytes " +
                $"= {frame} (leave 4096 bytes for headers); lower chunk-bytes or raise the frame size");
        return new ClusterSettings(
            ConfigReading.Boolean(c, "veil.cluster.enabled"),
            roles.ToList(),
            ConfigReading.NonEmpty(c, "veil.cluster.hostname"),
            Int("veil.cluster.port", 0, 65535),
            seeds.ToList(),
            Int("veil.cluster.min-workers", 1, 10000),
            chunk,
            frame,
            ConfigReading.Double(c, "veil.cluster.down-after-seconds", v => v > 0 && v <= 3600, "(0, 3600]"),
            ConfigReading.Double(c, "veil.cluster.heartbeat-pause-seconds", v => v > 0 && v <= 3600, "(0, 3600]"),
            Int("veil.cluster.reduction-fan-in", 1, 64));
    }
}
