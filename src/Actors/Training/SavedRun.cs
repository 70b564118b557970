using System.Text.Json;
using Veil.Actors.Configuration;
using Veil.Ledger.Plan;

namespace Veil.Actors.Training;

/// <summary>
/// What a run folder must hold to be resumed: the settings it was started with, the frozen DpPlan and
/// the ledger it spends on (the plan in its one serialisation, <see cref="DpPlanJsonConverter"/>),
/// and the data scope its records are keyed by (null for runs started before scopes).
/// Written once at the start (settings.json); read by `train --resume`.
/// </summary>
public sealed record SavedRun(
    TrainingSettings Training, PrivacySettings Privacy, CheckpointSettings Checkpoint, string LedgerPath, DpPlan Plan, string? ScopeKey = null)
{
    public const string FileName = "settings.json";

    private static readonly string[] DpValues = ["ExpectedBatchSize", "Epochs", "ClipNorm", "NoiseMultiplier", "TargetEpsilon"];

    private static readonly string[] RuntimeKnobs =
        ["Devices", "WorkersPerDevice", "ThreadsPerWorker", "MicroBatchSize", "DecodeThreads", "PrefetchMicroBatches", "EvalBatchSize"];

    // Run folders written before the runtime knobs and the veil.dp.* values had records of their own keep them among the training settings.
    private static void Nest(System.Text.Json.Nodes.JsonNode document, string record, string[] fields)
    {
        if (document["Training"] is not System.Text.Json.Nodes.JsonObject training || training.ContainsKey(record)) return;
        var nested = new System.Text.Json.Nodes.JsonObject();
        foreach (var field in fields)
            if (training.Remove(field, out var value)) nested[field] = value;
        training[record] = nested;
    }

    public static SavedRun Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"{runDirectory} is not a resumable run folder: {path} is missing (give --resume a runs/<id> folder written by `train`)", path);
        try
        {
            var document = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException("empty");
            Nest(document, "Runtime", RuntimeKnobs);
            Nest(document, "Dp", DpValues);
            return document.Deserialize<SavedRun>() ?? throw new InvalidDataException("empty");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException)
        {
            throw new TrainingFailedException($"{path} is damaged ({e.Message}); the run cannot be resumed safely", e);
        }
    }
}
