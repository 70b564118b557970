using System.CommandLine;
using System.Globalization;
using Veil.Actors.TrainedModels;
using Veil.Compute.Export;

namespace Veil.Actors.Cli;

/// <summary>
/// `veil export --run runs/&lt;id&gt;`: the run's model under its module names, with its architecture, input
/// normalisation and privacy guarantee, as safetensors or a PyTorch state_dict. Post-processing: it spends no
/// privacy. It refuses a run whose ledger does not verify, because the ε it would carry cannot be trusted.
/// </summary>
public static class ExportCommand
{
    public static Command Create(TextWriter stdout)
    {
        var run = RunOption();
        var format = new Option<string>("--format")
        {
            Description = $"{string.Join(" | ", ExportFormats.All)} (default {ExportFormats.Safetensors}).",
            DefaultValueFactory = _ => ExportFormats.Safetensors,
        };
        var checkpoint = new Option<string?>("--checkpoint")
        {
            Description = "Export a checkpoint's parameters instead of the final ones: its file name in runs/<id>/checkpoints (or its step count).",
        };
        var output = new Option<string>("--out") { Description = "The file to write (a PyTorch export also writes FILE.metadata.json).", Required = true };
        var json = CliOptions.Json();
        var command = new Command(
            "export",
            "Write a trained run's model (weights + architecture + ε) as safetensors or a PyTorch state_dict; spends no privacy.")
        {
            run, format, checkpoint, output, json,
        };
        command.SetAction(p =>
        {
            var chosen = p.GetValue(format)!;
            // Checked here rather than with AcceptOnlyFromAmong so the message lists the formats in the house's words.
            if (!ExportFormats.All.Contains(chosen))
                throw new CliUsageException($"--format {chosen} is not a format veil exports; valid formats: {string.Join(", ", ExportFormats.All)}");
            var trained = TrainedRun.Open(p.GetValue(run)!);
            var ledger = trained.VerifyLedger();
            var name = p.GetValue(checkpoint);
            var steps = name is null ? trained.Saved.Plan.Steps : trained.LoadCheckpoint(name).StepsApplied;
            using var model = trained.CreateModel(name);
            var path = Path.GetFullPath(p.GetValue(output)!);
            if (Path.GetDirectoryName(path) is { } folder) Directory.CreateDirectory(folder);
            var files = ModelExporter.Write(model, path, chosen, ExportMetadata.Of(trained, model, ledger, name, steps));
            if (!p.GetValue(json))
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"exported run {trained.Id} ({model.CatalogName}, {model.Classes} classes, " +
                    $"{(name is null ? "final parameters" : "checkpoint " + name)}) as {chosen}: {string.Join(", ", files)}"));
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"ε = {(double.IsPositiveInfinity(ledger.Epsilon) ? "∞" : ledger.Epsilon.ToString("G6", CultureInfo.InvariantCulture))}, " +
                    $"δ = {ledger.Delta:G3} ({ledger.Accountant}); " +
                    $"ledger {ledger.Location} verified, run records {ledger.FirstSequence}–{ledger.LastSequence}"));
                stdout.WriteLine("exporting is post-processing of the released model: it spent no privacy and added nothing to the ledger");
            }
            stdout.WriteLine(JsonLine.Of(("command", "export"), ("run_id", trained.Id), ("format", chosen), ("files", files.ToList()),
                ("architecture", model.CatalogName), ("classes", model.Classes), ("epsilon", ledger.Epsilon), ("delta", ledger.Delta),
                ("accountant", ledger.Accountant), ("ledger", ledger.Location), ("ledger_first_sequence", ledger.FirstSequence),
                ("ledger_last_sequence", ledger.LastSequence), ("privacy_spent", 0)));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>--run, shared by export, predict and evaluate.</summary>
    public static Option<string> RunOption() => new("--run") { Description = "A finished runs/<id> folder.", Required = true };
}
