using System.Text.Json;
using Veil.Actors.Cluster.Hosting;
using Veil.Actors.Configuration;
using Veil.Actors.Training;

namespace Veil.Actors.Cli;

/// <summary>`veil train` with veil.cluster.enabled: this process becomes the coordinator node and waits for workers to join.</summary>
public static class ClusterTrain
{
    public static TrainingResult Run(Akka.Configuration.Config config, TextWriter stdout, string? ledgerOverride)
    {
        var cluster = ClusterSettings.Create(config);
        if (!cluster.IsCoordinator)
            throw new ConfigurationException(
                "veil.cluster.roles has no coordinator: `train` starts the coordinator node; start workers with `./run.sh node --role worker`");
        if (cluster.SeedNodes.Count == 0)
            config = VeilConfiguration.Load(overrides: [$"veil.cluster.seed-nodes = [\"akka.tcp://veil@{cluster.Hostname}:{cluster.Port}\"]"])
                .WithFallback(config);
        using var node = ClusterNode.Start(config, stdout, ledgerOverride);
        stdout.WriteLine($"coordinator node {node.Address}: waiting for {cluster.MinWorkers} worker node(s) (veil.cluster.min-workers). Start each with:");
        stdout.WriteLine($"  ./run.sh node --role worker --seed-nodes {node.Address} --config <the same recipe>");
        Task.WaitAny(node.Ended, node.Stopped);
        if (!node.Ended.IsCompleted)
            throw new TrainingFailedException("this coordinator node was removed from the cluster before the run ended (downed by the split-brain resolver); " +
                                              "a standby coordinator (`node --role coordinator`) continues the run, " +
                                              "or start `train` again with the same recipe to resume it");
        var ended = node.Ended.Result;
        node.Leave(TimeSpan.FromSeconds(20));
        if (!ended.Succeeded) throw new TrainingFailedException($"cluster run {ended.RunId} failed: {ended.Message}");
        return JsonSerializer.Deserialize<TrainingResult>(File.ReadAllText(Path.Combine(ended.Message, "result.json")))
               ?? throw new TrainingFailedException($"{ended.Message}/result.json is empty");
    }
}
