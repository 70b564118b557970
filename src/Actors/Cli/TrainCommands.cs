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
        var config = new Option<string?>("--config") { Description = "HOCON recipe (e.g. hocon/fashion-mnist-eps3.conf); every key is in hocon/reference.conf." };
        var set = SetOption();
        var resume = new Option<string?>("--resume") { Description = "Continue runs/<id> from its newest valid checkpoint (with --resume, --set may only change veil.chaos.*)." };
        var json = CliOptions.Json();
        var command = new Command("train", "Train privately with DP-SGD; writes runs/<id>/ and appends every release to the ledger.") { config, set, resume, json };
        command.SetAction(p =>
        {
            if (p.GetValue(resume) is { } runDir)
            {
                if (p.GetValue(config) is not null) throw new CliUsageException("--resume continues a run with the settings it started with; drop --config");
                var overrides = p.GetValue(set) ?? [];
                if (overrides.FirstOrDefault(o => !o.TrimStart().StartsWith("veil.chaos.", StringComparison.Ordinal) && !o.TrimStart().StartsWith("veil.telemetry.", StringComparison.Ordinal)) is { } bad)
                    throw new CliUsageException($"--set {bad}: a resumed run keeps its settings (only veil.chaos.* and veil.telemetry.* may change)");
                var live = VeilConfiguration.Load(overrides: overrides);
                return Report(stdout, TrainingJob.Resume(runDir, ChaosSettings.Create(live), TelemetrySettings.Create(live), stdout), p.GetValue(json));
            }
            return Execute(stdout, VeilConfiguration.Load(p.GetValue(config), p.GetValue(set)), p.GetValue(json), ledgerOverride: null);
        });
        return command;
    }

    public static Command Demo(TextWriter stdout)
    {
        var set = SetOption();
        var json = CliOptions.Json();
        var command = new Command("demo", "The main job on embedded defaults: the tanh CNN on Fashion-MNIST at ε ≤ 3, δ = 1e-5 (~10 min on 2 cores).") { set, json };
        command.SetAction(p =>
        {
            var config = VeilConfiguration.Load(overrides: p.GetValue(set), embeddedRecipe: "demo");
            // The demo is a showcase that must run again and again: it gets a fresh ledger of its own each
            // time (stated in its output). `train` shares veil.privacy.ledger.path, so every run adds up.
            var runs = TrainingSettings.Create(config).RunDirectory;
            var ledger = Path.Combine(runs, "demo-ledgers", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture) + ".sqlite");
            stdout.WriteLine($"demo: this run gets its own fresh ledger ({ledger}); `train` runs share {PrivacySettings.Create(config).LedgerPath} so their privacy adds up.");
            return Execute(stdout, config, p.GetValue(json), ledger);
        });
        return command;
    }

    private static Option<string[]> SetOption() => new("--set")
    {
        Description = "Override one key: --set veil.dp.epochs=20 (repeatable).",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static int Execute(TextWriter stdout, Akka.Configuration.Config config, bool json, string? ledgerOverride)
    {
        var r = TrainingJob.Start(TrainingSettings.Create(config), PrivacySettings.Create(config), CheckpointSettings.Create(config),
            ChaosSettings.Create(config), TelemetrySettings.Create(config), stdout, ledgerOverride);
        return Report(stdout, r, json);
    }

    private static int Report(TextWriter stdout, TrainingResult r, bool json)
    {
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done: test accuracy {r.TestAccuracy:P2} at ε = {r.Epsilon:F3}, δ = {r.Delta:G3} ({r.Accountant}, from the ledger); {r.Steps} steps, σ = {r.NoiseMultiplier:G5}, q = {r.SamplingRate:G4}; {r.WallSeconds:F0} s, {r.ExamplesPerSecond:F0} examples/s; run {r.RunDirectory}"));
        if (json)
            stdout.WriteLine(JsonLine.Of(
                ("test_accuracy", r.TestAccuracy), ("epsilon", r.Epsilon), ("delta", r.Delta), ("steps", r.Steps),
                ("noise_multiplier", r.NoiseMultiplier), ("sampling_rate", r.SamplingRate), ("ledger", r.LedgerPath), ("run_dir", r.RunDirectory),
                ("accountant", r.Accountant), ("clip_norm", r.ClipNorm), ("expected_batch_size", r.ExpectedBatchSize),
                ("wall_seconds", r.WallSeconds), ("examples_per_second", r.ExamplesPerSecond), ("dataset_fingerprint", r.DatasetFingerprint),
                ("rss_mb_after_warm_up", r.RssMegabytesAfterWarmUp), ("rss_mb_at_end", r.RssMegabytesAtEnd),
                ("resumed_from_step", r.ResumedFromStep), ("ledger_events", r.LedgerEventsOfRun), ("parameter_version", r.ParameterVersion)));
        return ExitCodes.Ok;
    }
}
