using System.CommandLine;
using Veil.Actors.Cluster.Hosting;
using Veil.Actors.Configuration;

namespace Veil.Actors.Cli;

/// <summary>`veil node`: join a training cluster as a worker (or a standby coordinator) until the run ends.</summary>
public static class NodeCommand
{
    public static Command Create(TextWriter stdout)
    {
        var roles = new Option<string[]>("--role")
        {
            Description = "worker and/or coordinator (repeatable; default worker). A second coordinator node takes over if the first leaves.",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var seeds = new Option<string>(
            "--seed-nodes") { Description = "Comma-separated cluster addresses to join, e.g. akka.tcp://veil@127.0.0.1:4053.", Required = true };
        var port = CliOptions.Ranged<int>("--port", "This node's TCP port (default 0: any free one).", v => v is >= 0 and <= 65535, "[0, 65535]");
        var config = new Option<string?>(
            "--config") { Description = "The run's recipe: a worker must open the same data and model as the coordinator (use the coordinator's file)." };
        var set = new Option<string[]>(
            "--set") { Description = "Override one key (repeatable).", Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = false };
        var command = new Command("node", "Join a training cluster (veil.cluster.*) and work until the run ends.") { roles, seeds, port, config, set };
        command.SetAction(p =>
        {
            var given = p.GetValue(roles) is { Length: > 0 } r ? r : ["worker"];
            foreach (var role in given)
                if (!ClusterSettings.KnownRoles.Contains(role)) throw new CliUsageException($"--role {role}: expected worker or coordinator");
            var seedList = (p.GetValue(seeds) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var overrides = (p.GetValue(set) ?? []).Concat([
                "veil.cluster.enabled = true",
                $"veil.cluster.roles = [{string.Join(", ", given.Distinct())}]",
                $"veil.cluster.seed-nodes = [{string.Join(", ", seedList.Select(s => "\"" + s + "\""))}]",
                $"veil.cluster.port = {p.GetValue(port)}",
            ]).ToList();
            var loaded = VeilConfiguration.Load(p.GetValue(config), overrides);
            using var node = ClusterNode.Start(loaded, stdout);
            stdout.WriteLine($"node {node.Address} joined as {string.Join(" + ", given.Distinct())}; it works until the run ends (Ctrl-C leaves the cluster)");
            var interrupted = new TaskCompletionSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                interrupted.TrySetResult();
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                Task.WaitAny(node.Ended, interrupted.Task, node.Stopped);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            if (!node.Ended.IsCompleted && node.Stopped.IsCompleted)
            {
                stdout.WriteLine(
                    "node: this node was removed from the cluster (downed by the split-brain resolver, or unreachable too long) before the run ended");
                return ExitCodes.Failed;
            }
            node.Leave(TimeSpan.FromSeconds(20));
            if (!node.Ended.IsCompleted)
            {
                stdout.WriteLine("node: left the cluster before the run ended");
                return ExitCodes.Ok;
            }
            var ended = node.Ended.Result;
            stdout.WriteLine(ended.Succeeded ? $"node: run finished ({ended.Message})" : $"node: run failed: {ended.Message}");
            return ended.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }
}
