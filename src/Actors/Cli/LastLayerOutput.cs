using System.Globalization;
using Veil.Actors.LastLayer;

namespace Veil.Actors.Cli;

/// <summary>The summary line and the --json line of a last-layer run.</summary>
public static class LastLayerOutput
{
    public static int Report(TextWriter stdout, LastLayerResult r, bool json)
    {
        var scored = r.ValidationExamples > 0
            ? $"validation accuracy {r.TestAccuracy.ToString("P2", CultureInfo.InvariantCulture)} on {r.ValidationExamples} held-out public examples " +
              "(selection run on public data, own ledger: no test figure)"
            : $"test accuracy {r.TestAccuracy.ToString("P2", CultureInfo.InvariantCulture)}";
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done: {scored} at ε = {r.Epsilon:F3}, " +
            $"δ = {r.Delta:G3} ({r.Accountant}, from the ledger); last layer by {r.Method} on {r.Features}, " +
            $"{r.Releases} releases; {r.WallSeconds:F1} s (features {r.FeatureSeconds:F1} s, fit {r.FitSeconds:F1} s); run {r.RunDirectory}"));
        if (json)
            stdout.WriteLine(JsonLine.Of(
                (r.ValidationExamples > 0 ? "validation_accuracy" : "test_accuracy", r.TestAccuracy), ("validation_examples", r.ValidationExamples),
                ("epsilon", r.Epsilon), ("delta", r.Delta), ("method", r.Method), ("mode", "last-layer"),
                ("features", r.Features), ("planned_epsilon", r.PlannedEpsilon), ("accountant", r.Accountant),
                ("noise_multipliers", r.NoiseMultipliers.Select(kv => (kv.Key, (object?)kv.Value)).ToArray()), ("noise_scale", r.NoiseScale),
                ("releases", r.Releases), ("train_examples", r.TrainExamples), ("test_examples", r.TestExamples), ("dimension", r.Dimension),
                ("wall_seconds", r.WallSeconds), ("feature_seconds", r.FeatureSeconds), ("fit_seconds", r.FitSeconds),
                ("ledger", r.LedgerPath), ("run_dir", r.RunDirectory), ("dataset_fingerprint", r.DatasetFingerprint),
                ("data_scope", r.DataScope), ("insecure", r.Insecure)));
        return ExitCodes.Ok;
    }
}
