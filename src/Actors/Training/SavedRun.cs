using System.Text.Json;
using Veil.Actors.Configuration;
using Veil.Ledger.Plan;

namespace Veil.Actors.Training;

/// <summary>
/// What a run folder must hold to be resumed: the settings it was started with, the frozen DpPlan and
/// the ledger it spends on (the plan in its one serialisation, <see cref="DpPlanJsonConverter"/>), and the data scope its records are keyed by (null for runs started before scopes).
/// Written once at the start (settings.json); read by `train --resume`.
/// </summary>
public sealed record SavedRun(
    TrainingSettings Training, PrivacySettings Privacy, CheckpointSettings Checkpoint, string LedgerPath, DpPlan Plan, string? ScopeKey = null)
{
    public const string FileName = "settings.json";

    private static readonly string[] RuntimeKnobs =
        ["Devices", "WorkersPerDevice", "ThreadsPerWorker", "MicroBatchSize", "DecodeThreads", "PrefetchMicroBatches", "EvalBatchSize"];

    // Run folders written before the runtime knobs had a record of their own keep them among the training settings.
    private static void NestRuntimeKnobs(System.Text.Json.Nodes.JsonNode document)
    {
        if (document["Training"] is not System.Text.Json.Nodes.JsonObject training || training.ContainsKey("Runtime")) return;
        var runtime = new System.Text.Json.Nodes.JsonObject();
        foreach (var knob in RuntimeKnobs)
            if (training.Remove(knob, out var value)) runtime[knob] = value;
        training["Runtime"] = runtime;
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
            NestRuntimeKnobs(document);
            return document.Deserialize<SavedRun>() ?? throw new InvalidDataException("empty");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException)
        {
            throw new TrainingFailedException($"{path} is damaged ({e.Message}); the run cannot be resumed safely", e);
        }
    }
}
