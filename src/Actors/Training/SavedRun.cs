using System.Text.Json;
using System.Text.Json.Serialization;
using Veil.Actors.Configuration;
using Veil.Ledger.Plan;

namespace Veil.Actors.Training;

/// <summary>
/// What a run folder must hold to be resumed: the settings it was started with, the frozen DpPlan and
/// the ledger it spends on, and the data scope its records are keyed by (null for runs started before scopes).
/// Written once at the start (settings.json); read by `train --resume`.
/// </summary>
public sealed record SavedRun(
    TrainingSettings Training, PrivacySettings Privacy, CheckpointSettings Checkpoint, string LedgerPath, SavedPlan Plan, string? ScopeKey = null)
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

/// <summary>DpPlan's fields as plain data (the plan itself validates on construction).</summary>
public sealed record SavedPlan(
    double SamplingRate, double NoiseMultiplier, double ClipNorm, long Steps, double Delta, string DatasetFingerprint, long DatasetSize,
    // Left out at their defaults, so an example-level plan reads exactly as it did before the unit existed (checkpoints compare it).
    [property: JsonConverter(typeof(JsonStringEnumConverter)), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    PrivacyUnit Unit = PrivacyUnit.Example,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int ExamplesPerUser = 0)
{
    public static SavedPlan Of(DpPlan p) =>
        new(p.SamplingRate, p.NoiseMultiplier, p.ClipNorm, p.Steps, p.Delta, p.DatasetFingerprint, p.DatasetSize, p.Unit, p.ExamplesPerUser);

    public DpPlan ToPlan() => new(SamplingRate, NoiseMultiplier, ClipNorm, Steps, Delta, DatasetFingerprint, DatasetSize, Unit, ExamplesPerUser);

    public string ToJson() => JsonSerializer.Serialize(this);
}
