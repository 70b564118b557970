using Spectre.Console;
using System.CommandLine;
using System.Globalization;
using Veil.Actors.Configuration;
using Veil.Actors.Training;

namespace Veil.Actors.Cli;

/// <summary>`veil train` (a recipe) and `veil demo` (embedded defaults): private training runs.</summary>
public static class TrainCommands
{
    public static Command Train(TextWriter stdout)
    {
        var config = new Option<string?>(
            "--config") { Description = "HOCON recipe (e.g. hocon/fashion-mnist-eps3.conf); every key is in hocon/reference.conf." };
        var set = SetOption();
        var resume = new Option<string?>(
            "--resume") { Description = "Continue runs/<id> from its newest valid checkpoint (with --resume, --set may only change veil.chaos.*)." };
        var json = CliOptions.Json();
        var quiet = Quiet();
        var command = new Command(
            "train",
            "Train privately (DP-SGD, or a last layer on frozen features with veil.mode = last-layer); " +
            "writes runs/<id>/ and appends every release to the ledger.") { config, set, resume, json, quiet };
        command.SetAction(p =>
        {
            if (p.GetValue(resume) is { } runDir)
            {
                if (p.GetValue(config) is not null) throw new CliUsageException("--resume continues a run with the settings it started with; drop --config");
                var overrides = p.GetValue(set) ?? [];
                if (overrides.FirstOrDefault(o => !o.TrimStart().StartsWith("veil.chaos.", StringComparison.Ordinal)
                        && !o.TrimStart().StartsWith("veil.telemetry.", StringComparison.Ordinal)) is { } bad)
                    throw new CliUsageException($"--set {bad}: a resumed run keeps its settings (only veil.chaos.* and veil.telemetry.* may change)");
                if (LastLayer.LastLayerRunFolder.Is(runDir))
                    throw new CliUsageException(
                        $"{runDir} is a last-layer run (veil.mode = last-layer): it has no checkpoints to resume from; " +
                        $"start a new run (the releases it made stay in the ledger and count)");
                var live = VeilConfiguration.Load(overrides: overrides);
                return Report(stdout, WithProgress(stdout, p.GetValue(json), p.GetValue(quiet),
                    progress => TrainingJob.Resume(runDir, ChaosSettings.Create(live), TelemetrySettings.Create(live), stdout, progress)), p.GetValue(json));
            }
            return Execute(stdout, VeilConfiguration.Load(p.GetValue(config), p.GetValue(set)), p.GetValue(json), p.GetValue(quiet), ledgerOverride: null);
        });
        return command;
    }

    public static Command Demo(TextWriter stdout)
    {
        var set = SetOption();
        var json = CliOptions.Json();
        var quiet = Quiet();
        var command = new Command(
            "demo",
            "The main job on embedded defaults: the tanh CNN on Fashion-MNIST at ε ≤ 3, δ = 1e-5 (about 1.5 minutes on 2 cores).") { set, json, quiet };
        command.SetAction(p =>
        {
            var config = VeilConfiguration.Load(overrides: p.GetValue(set), embeddedRecipe: "demo");
            // The demo is a showcase that must run again and again: it gets a fresh ledger of its own each
            // time (stated in its output). `train` shares veil.privacy.ledger.path, so every run adds up.
            var runs = TrainingSettings.Create(config).RunDirectory;
            var ledger = Path.Combine(runs, "demo-ledgers", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture) + ".sqlite");
            stdout.WriteLine(
                $"demo: this run gets its own fresh ledger ({ledger}); `train` runs share " +
                $"{PrivacySettings.Create(config).LedgerPath} so their privacy adds up.");
            return Execute(stdout, config, p.GetValue(json), p.GetValue(quiet), ledger);
        });
        return command;
    }

    private static Option<string[]> SetOption() => new("--set")
    {
        Description = "Override one key: --set veil.dp.epochs=20 (repeatable).",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static Option<bool> Quiet() => new("--quiet") { Description = "No per-step progress (the summary and --json line still print)." };

    private static int Execute(TextWriter stdout, Akka.Configuration.Config config, bool json, bool quiet, string? ledgerOverride)
    {
        if (ClusterSettings.Create(config).Enabled) return Report(stdout, ClusterTrain.Run(config, stdout, ledgerOverride), json);
        var training = TrainingSettings.Create(config);
        var privacy = PrivacySettings.Create(config);
        if (LastLayerSettings.Mode(config) == RunMode.LastLayer)
            return LastLayerOutput.Report(
                stdout, LastLayer.LastLayerJob.Start(LastLayerSettings.Create(config), training, privacy, stdout, ledgerOverride), json);
        var r = WithProgress(stdout, json, quiet, progress => TrainingJob.Start(training, privacy, CheckpointSettings.Create(config),
            ChaosSettings.Create(config), TelemetrySettings.Create(config), stdout, ledgerOverride, progress));
        return Report(stdout, r, json);
    }

    /// <summary>
    /// A live Spectre.Console display when stdout is a terminal (and neither --json nor --quiet), otherwise
    /// one plain line per step (pipes, CI), or none with --quiet.
    /// </summary>
    private static TrainingResult WithProgress(TextWriter stdout, bool json, bool quiet, Func<ProgressLine, TrainingResult> run)
    {
        if (quiet) return run(new ProgressLine(stdout, ProgressMode.Quiet));
        var terminal = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected && !json;
        if (!terminal) return run(new ProgressLine(stdout));
        TrainingResult? result = null;
        Spectre.Console.AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new Spectre.Console.TaskDescriptionColumn(), new Spectre.Console.ProgressBarColumn(), new Spectre.Console.PercentageColumn(),
                new Spectre.Console.RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: 1);
                result = run(new ProgressLine(stdout, ProgressMode.Live, (report, line) =>
                {
                    task.MaxValue = report.TotalSteps;
                    task.Value = report.Step + 1;
                    task.Description = Spectre.Console.Markup.Escape(line[..line.IndexOf("  rss", StringComparison.Ordinal)]);
                }));
            });
        return result!;
    }

    private static int Report(TextWriter stdout, TrainingResult r, bool json)
    {
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done: test accuracy {r.TestAccuracy:P2} at ε = " +
            $"{(double.IsPositiveInfinity(r.Epsilon)
                ? "∞ (INSECURE: fixed private randomness on these examples)"
                : r.Epsilon.ToString("F3", CultureInfo.InvariantCulture))} ({r.PrivacyUnit}-level), " +
            $"δ = {r.Delta:G3} ({r.Accountant}, from the ledger); {r.Steps} steps, σ = {r.NoiseMultiplier:G5}, q = {r.SamplingRate:G4}; " +
            $"{r.WallSeconds:F0} s, {r.ExamplesPerSecond:F0} examples/s; run {r.RunDirectory}"));
        if (json)
            stdout.WriteLine(JsonLine.Of(
                ("test_accuracy", r.TestAccuracy), ("epsilon", r.Epsilon), ("privacy_unit", r.PrivacyUnit), ("delta", r.Delta), ("steps", r.Steps),
                ("noise_multiplier", r.NoiseMultiplier), ("sampling_rate", r.SamplingRate), ("ledger", r.LedgerPath), ("run_dir", r.RunDirectory),
                ("accountant", r.Accountant), ("clip_norm", r.ClipNorm), ("expected_batch_size", r.ExpectedBatchSize),
                ("wall_seconds", r.WallSeconds), ("examples_per_second", r.ExamplesPerSecond), ("dataset_fingerprint", r.DatasetFingerprint),
                ("data_scope", r.DataScope), ("run_epsilon", r.RunEpsilon), ("insecure", r.Insecure),
                ("rss_mb_after_warm_up", r.RssMegabytesAfterWarmUp), ("rss_mb_at_end", r.RssMegabytesAtEnd),
                ("resumed_from_step", r.ResumedFromStep), ("ledger_events", r.LedgerEventsOfRun), ("parameter_version", r.ParameterVersion),
                // test_accuracy is the last iterate's; with veil.optimizer.ema on, the average's too, and saved_model says which parameters.f32 holds.
                ("ema_test_accuracy", r.EmaTestAccuracy), ("ema_test_loss", r.EmaTestLoss), ("saved_model", r.SavedModel),
                // This process's cluster traffic (0 without veil.cluster.enabled); bench cluster divides it by the steps.
                ("cluster_wire_bytes_sent", Veil.Actors.Cluster.Transport.WireBytes.Sent),
                ("cluster_wire_bytes_received", Veil.Actors.Cluster.Transport.WireBytes.Received),
                // Where a cluster step's time went, as the coordinator sees it (empty without veil.cluster.enabled).
                ("cluster_step_seconds", Veil.Actors.Cluster.Coordination.ClusterStepTimes.Means().Select(m => (m.Part, (object?)m.Seconds)).ToArray())));
        return ExitCodes.Ok;
    }
}
