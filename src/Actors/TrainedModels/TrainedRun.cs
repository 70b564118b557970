using System.Text.Json;
using Veil.Actors.Checkpoints;
using Veil.Actors.Cli;
using Veil.Actors.Configuration;
using Veil.Actors.LastLayer;
using Veil.Actors.PrivateRuns;
using Veil.Actors.Training;
using Veil.Compute.Export;
using Veil.Compute.Models;
using Veil.Compute.Parameters;
using Veil.Compute.Transfer;
using Veil.Ledger.Budget;

namespace Veil.Actors.TrainedModels;

/// <summary>
/// A finished DP-SGD run folder, read for use: its settings, plan and result, and its model rebuilt exactly as the run
/// built it (the catalog model with the run's settings and parameters.f32, or a checkpoint's; a fine-tuned run's whole
/// model from runs/&lt;id&gt;/model, frozen parts included). Using the model is post-processing of the release and
/// spends no privacy; only the ledger's standing is read.
/// </summary>
public sealed class TrainedRun
{
    public const string ParametersFile = "parameters.f32";
    public const string ModelFolder = "model";

    private TrainedRun(string path, SavedRun saved, JsonElement plan, JsonElement? result)
    {
        Path = path;
        Saved = saved;
        Plan = plan;
        Result = result;
    }

    public string Path { get; }

    public string Id => System.IO.Path.GetFileName(Path);

    public SavedRun Saved { get; }

    public TrainingSettings Training => Saved.Training;

    /// <summary>plan.json as written at the start of the run.</summary>
    public JsonElement Plan { get; }

    /// <summary>result.json, absent only if the run died between its last step and its report.</summary>
    public JsonElement? Result { get; }

    public int Classes => Plan.TryGetProperty("classes", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : 10;

    public bool FineTuned => Training.Initialisation.FromBackbone;

    /// <summary>Opens runs/&lt;id&gt;; a folder that is not a finished DP-SGD run is refused naming what is missing and what to do.</summary>
    public static TrainedRun Open(string runDirectory)
    {
        var path = System.IO.Path.GetFullPath(runDirectory).TrimEnd(System.IO.Path.DirectorySeparatorChar);
        if (!Directory.Exists(path)) throw new CliUsageException($"--run {runDirectory}: no such folder; give a runs/<id> folder written by `./run.sh train`");
        if (LastLayerRunFolder.Is(path))
            throw new CliUsageException(
                $"--run {runDirectory} is a last-layer run (veil.mode = last-layer); " +
                $"export, predict and evaluate take DP-SGD runs (runs/<id> with {ParametersFile})");
        if (!File.Exists(System.IO.Path.Combine(path, SavedRun.FileName)))
            throw new CliUsageException($"--run {runDirectory} has no {SavedRun.FileName}: it is not a folder written by `./run.sh train` (give runs/<id>)");
        var saved = SavedRun.Read(path);
        var parameters = System.IO.Path.Combine(path, ParametersFile);
        if (!File.Exists(parameters))
            throw new CliUsageException(
                $"{parameters} does not exist: run {System.IO.Path.GetFileName(path)} did not finish; " +
                $"resume it with ./run.sh train --resume {path}");
        var planPath = System.IO.Path.Combine(path, "plan.json");
        if (!File.Exists(planPath)) throw new CliUsageException($"{planPath} does not exist: {path} is not a complete run folder");
        var plan = JsonDocument.Parse(File.ReadAllText(planPath)).RootElement.Clone();
        var resultPath = System.IO.Path.Combine(path, "result.json");
        JsonElement? result = File.Exists(resultPath) ? JsonDocument.Parse(File.ReadAllText(resultPath)).RootElement.Clone() : null;
        return new TrainedRun(path, saved, plan, result);
    }

    /// <summary>
    /// The run's model with its final parameters, or those of <paramref name="checkpoint"/> (a file name in
    /// runs/&lt;id&gt;/checkpoints, with or without .ckpt, or a step count). The caller disposes it.
    /// </summary>
    public VeilModel CreateModel(string? checkpoint = null)
    {
        var trainable = checkpoint is null ? RunFolder.ReadFloats(System.IO.Path.Combine(Path, ParametersFile)) : LoadCheckpoint(checkpoint).Parameters;
        Compute.Runtime.TorchRuntime.EnsureLoaded();
        VeilModel model;
        if (FineTuned)
        {
            // The frozen weights are not in the parameter vector: they come from the whole model the run saved (SHA-256 checked).
            var folder = System.IO.Path.Combine(Path, ModelFolder);
            var stored = BackboneStore.Load(folder);
            var m = stored.Manifest;
            model = ModelCatalog.Create(m.Architecture, seed: 0, m.PublicClasses);
            long offset = 0;
            var weights = m.Parameters.Select(p =>
            {
                var count = p.Shape.Aggregate(1L, (a, b) => a * b);
                var w = new NamedWeights(p.Name, p.Shape, stored.Weights.AsSpan((int)offset, (int)count).ToArray());
                offset += count;
                return w;
            }).ToList();
            NamedWeights.LoadInto(model, weights, folder);
            TransferModel.Freeze(model, Training.Initialisation.Parts);
        }
        else
        {
            model = new RunModels(Training, Classes, Saved.Plan.DatasetFingerprint).Create(Training.InitSeed);
        }
        try
        {
            ParameterVector.Load(model, trainable);
        }
        catch (ArgumentException e)
        {
            model.Dispose();
            throw new CliUsageException($"the parameters of run {Id} do not fit its model {Training.ModelIdentity}: {e.Message}");
        }
        return model;
    }

    /// <summary>A checkpoint of this run by name; an unknown one is refused listing those there are.</summary>
    public Checkpoint LoadCheckpoint(string name)
    {
        var store = new CheckpointStore(System.IO.Path.Combine(Path, "checkpoints"), 1);
        var files = store.Files();
        var file = files.FirstOrDefault(f => Matches(f, name))
            ?? throw new CliUsageException(
                $"--checkpoint {name}: run {Id} has no such checkpoint; " +
                $"it has: {(files.Count == 0 ? "none" : string.Join(", ", files.Select(System.IO.Path.GetFileName)))}");
        try
        {
            var c = CheckpointFile.Decode(File.ReadAllBytes(file), file);
            if (c.RunId != Id) throw new CliUsageException($"{file} belongs to run {c.RunId}, not {Id}");
            return c;
        }
        catch (CorruptCheckpointException e)
        {
            throw new CliUsageException($"--checkpoint {name}: {e.Message}; pick another checkpoint or export the final parameters");
        }
    }

    private static bool Matches(string file, string name)
    {
        var fileName = System.IO.Path.GetFileName(file);
        if (fileName == name || System.IO.Path.GetFileNameWithoutExtension(fileName) == name) return true;
        return long.TryParse(name, out var step)
            && long.TryParse(System.IO.Path.GetFileNameWithoutExtension(fileName)["step-".Length..], out var s)
            && s == step;
    }

    /// <summary>
    /// Opens the run's ledger as the run did (settings.json's privacy settings and ledger, a kept-apart PostgreSQL
    /// password put back), walks its hash chain and reads what the run recorded and what its data scope has spent.
    /// A ledger that fails verification is refused: the ε a model carries is only as good as the ledger it comes from.
    /// </summary>
    public LedgerStanding VerifyLedger()
    {
        var privacy = PrivateRun.SavedPrivacy(Saved.Privacy with { LedgerPath = Saved.LedgerPath }, Path);
        var location = LedgerStoreFactory.Describe(privacy);
        using var store = LedgerStoreFactory.Open(privacy, createIfMissing: false);
        var verification = store.Verify();
        if (!verification.Valid)
            throw new CliUsageException($"ledger {location} fails verification at record {verification.FirstBadSequence}: {verification.Reason}. " +
                                        $"The ε of run {Id} cannot be trusted, so its model is not exported; " +
                                        $"inspect it with ./run.sh privacy ledger verify --ledger {location}");
        var records = store.ReadAll().Where(r => r.RunId == Id).ToList();
        if (records.Count == 0)
            throw new CliUsageException(
                $"ledger {location} holds no record of run {Id}: " +
                $"the ledger is not the one the run spent on (restored from an older backup?); its ε cannot be shown. " +
                $"Check ./run.sh privacy ledger show --ledger {location}");
        var accountant = LedgerAccountant.Reading(store, privacy.Accountant);
        var guard = new BudgetGuard(store, accountant, new PrivacyBudget(privacy.BudgetEpsilon, privacy.BudgetDelta));
        var spent = Saved.ScopeKey is { } scope ? guard.Spent(scope) : guard.Spent(Saved.Plan.DatasetFingerprint);
        return new LedgerStanding(
            location, records.Count, records[0].Sequence, records[^1].Sequence, spent.Epsilon, spent.Delta, spent.Accountant,
            verification.Records);
    }
}
