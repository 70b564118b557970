using System.CommandLine;
using Veil.Actors.Chaos;

namespace Veil.Actors.Cli;

/// <summary>`veil chaos`: kill real training processes at random moments, resume them, and check the ledger's promises.</summary>
public static class ChaosCommand
{
    public static Command Create(TextWriter stdout)
    {
        var runs = CliOptions.Ranged<int>("--runs", "Training runs to torment (default 5).", v => v is > 0 and <= 10_000, "[1, 10000]");
        runs.DefaultValueFactory = _ => 5;
        var seed = new Option<int>("--seed") { Description = "Seed of the kill schedule (default 1).", DefaultValueFactory = _ => 1 };
        var steps = CliOptions.Ranged<int>("--steps", "Steps per run (default 24).", v => v is >= 6 and <= 10_000, "[6, 10000]");
        steps.DefaultValueFactory = _ => 24;
        var json = CliOptions.Json();
        var cluster = new Option<bool>("--cluster")
        {
            Description = "Cluster chaos: SIGKILL a worker node and the coordinator's node of " +
            "3-node clusters on 127.0.0.1; also compare the final parameters with a single-node run.",
        };
        var command = new Command(
            "chaos",
            "SIGKILL training processes at random moments, resume each, verify: " +
            "no lost or doubled privacy event, no doubled update.") { runs, seed, steps, cluster, json };
        command.SetAction(p =>
        {
            if (p.GetValue(cluster))
            {
                var c = new ClusterChaosHarness(p.GetValue(runs), p.GetValue(seed), stdout, p.GetValue(steps) / 6 * 6).Run();
                stdout.WriteLine(JsonLine.Of(
                    ("runs", c.Runs), ("kills", c.Kills), ("lost_events", c.LostEvents), ("duplicate_updates", c.DuplicateUpdates),
                    ("recounted_events", c.RecountedEvents), ("invalid_ledgers", c.InvalidLedgers), ("parameter_mismatches", c.ParameterMismatches),
                    ("compared_runs", c.ComparedRuns),
                    ("max_parameter_difference", c.MaxParameterDifference), ("unfinished_runs", c.UnfinishedRuns)));
                return c.Passed ? ExitCodes.Ok : ExitCodes.Failed;
            }
            var report = new ChaosHarness(p.GetValue(runs), p.GetValue(seed), stdout, p.GetValue(steps) / 6 * 6).Run();
            stdout.WriteLine(JsonLine.Of(
                ("runs", report.Runs), ("kills", report.Kills), ("resumed", report.Resumed), ("lost_events", report.LostEvents),
                ("duplicate_updates", report.DuplicateUpdates), ("invalid_ledgers", report.InvalidLedgers),
                ("epsilon_mismatches", report.EpsilonMismatches), ("unfinished_runs", report.UnfinishedRuns), ("max_resume_s", report.MaxResumeSeconds)));
            return report.Passed ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }
}
