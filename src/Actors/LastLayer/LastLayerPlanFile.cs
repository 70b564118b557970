using System.Text.Json.Serialization;
using Veil.Actors.Configuration;
using Veil.Actors.PrivateRuns;
using Veil.Ledger.Plan;

namespace Veil.Actors.LastLayer;

/// <summary>
/// plan.json of a last-layer run: the frozen release plan (in its one serialisation, under "plan": every release with its
/// count, q, σ, sensitivity and noise std, and the composed event) and, for a reader, how it was chosen. Never a key.
/// </summary>
public sealed record LastLayerPlanFile(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("plan")] ReleasePlan Plan,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("features")] string Features,
    [property: JsonPropertyName("data_scope")] string DataScope,
    [property: JsonPropertyName("scope_examples")] int ScopeExamples,
    [property: JsonPropertyName("insecure_private_randomness")] bool InsecurePrivateRandomness,
    [property: JsonPropertyName("target_epsilon")] double TargetEpsilon,
    [property: JsonPropertyName("planned_epsilon")] double PlannedEpsilon,
    [property: JsonPropertyName("noise_scale")] double NoiseScale,
    [property: JsonPropertyName("accountant")] string Accountant,
    [property: JsonPropertyName("ledger")] string Ledger,
    [property: JsonPropertyName("settings")] LastLayerSettings Settings)
{
    public const string FileName = "plan.json";

    [JsonPropertyName("mode")]
    public string Mode => "last-layer";

    public static LastLayerPlanFile Of(string runId, ReleasePlan plan, OpenedRun opened, LastLayerSettings settings, double plannedEpsilon,
        double noiseScale) => new(
        runId, plan, settings.Method, settings.Features, opened.ScopeKey, opened.ScopeExamples, opened.Insecure, settings.TargetEpsilon,
        plannedEpsilon, noiseScale, opened.Accountant, opened.Ledger, settings);
}
