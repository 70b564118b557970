using System.Globalization;
using System.Text.Json;
using Veil.Compute.Models;
using Veil.DataLoading.Augmentation;

namespace Veil.Actors.TrainedModels;

/// <summary>
/// What an exported model carries besides its weights, as string pairs (safetensors' __metadata__ holds strings only;
/// lists and objects are JSON text): how to rebuild and feed the model, and the privacy guarantee with where to check it.
/// </summary>
public static class ExportMetadata
{
    public const string FormatVersion = "veil.export.v1";

    public static IReadOnlyDictionary<string, string> Of(TrainedRun run, VeilModel model, LedgerStanding ledger, string? checkpoint, long steps)
    {
        var t = run.Training;
        var normalisation = ChannelNormalization.FashionMnist;
        var insecure = run.Plan.TryGetProperty("insecure_private_randomness", out var i) && i.ValueKind == JsonValueKind.True;
        return new Dictionary<string, string>
        {
            ["format"] = FormatVersion,
            ["architecture"] = model.CatalogName,
            ["architecture_args"] = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["classes"] = model.Classes, ["weight_standardisation"] = t.WeightStandardisation,
            }),
            ["input_shape"] = JsonSerializer.Serialize(model.ExampleShape),
            // Inputs are (pixel/255 − mean[c]) / std[c], channel-major, as training decoded them.
            ["normalisation"] = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["pixel_scale"] = 255, ["mean"] = normalisation.Mean, ["std"] = normalisation.Std,
            }),
            ["classes"] = Text(model.Classes),
            ["epsilon"] = double.IsPositiveInfinity(ledger.Epsilon) ? "inf" : Text(ledger.Epsilon),
            ["delta"] = Text(ledger.Delta),
            ["accountant"] = ledger.Accountant,
            ["epsilon_scope"] = "the worst example of the data scope, over every run recorded in the ledger that touched it, at export",
            ["insecure_private_randomness"] = insecure ? "true" : "false",
            ["ledger"] = ledger.Location,
            ["ledger_first_sequence"] = Text(ledger.FirstSequence),
            ["ledger_last_sequence"] = Text(ledger.LastSequence),
            ["ledger_run_records"] = Text(ledger.RunRecords),
            ["data_scope"] = run.Saved.ScopeKey ?? "",
            ["dataset_fingerprint"] = run.Saved.Plan.DatasetFingerprint,
            ["run_id"] = run.Id,
            ["parameters"] = checkpoint is null ? "final" : "checkpoint " + checkpoint,
            ["steps"] = Text(steps),
            ["noise_multiplier"] = Text(run.Saved.Plan.NoiseMultiplier),
            ["clip_norm"] = Text(run.Saved.Plan.ClipNorm),
            ["sampling_rate"] = Text(run.Saved.Plan.SamplingRate),
            ["backbone"] = run.FineTuned ? $"{t.Initialisation.From} (trainable: {t.Initialisation.Trainable})" : "",
        };
    }

    private static string Text(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(long v) => v.ToString(CultureInfo.InvariantCulture);
}
