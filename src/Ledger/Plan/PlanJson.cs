using System.Text.Json;

namespace Veil.Ledger.Plan;

/// <summary>
/// The one serialisation of the frozen plans: a DP-SGD <see cref="DpPlan"/> (through its own converter,
/// <see cref="DpPlanJsonConverter"/>) or a last-layer <see cref="ReleasePlan"/>. Whatever writes a plan (run files,
/// checkpoints, the cluster handshake) writes it through here or through the plan's converter, so it reads back equal.
/// </summary>
public static class PlanJson
{
    public static string Write(DpPlan plan) => JsonSerializer.Serialize(plan);

    public static string Write(ReleasePlan plan) => JsonSerializer.Serialize(plan);

    /// <exception cref="FormatException">Not a plan, or one that fails the plan's own validation; the message says which.</exception>
    public static DpPlan Read(string json) => Parse<DpPlan>(json, "DP plan");

    /// <exception cref="FormatException">Not a release plan, or one that fails its own validation; the message says which.</exception>
    public static ReleasePlan ReadReleasePlan(string json) => Parse<ReleasePlan>(json, "release plan");

    private static T Parse<T>(string json, string what) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json) ?? throw new FormatException($"the {what} is null");
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new FormatException($"not a valid {what} ({e.Message}): {(json.Length > 200 ? json[..200] + "…" : json)}", e);
        }
    }
}
