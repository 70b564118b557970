using System.Text.Json;

namespace Veil.Ledger.Plan;

/// <summary>A plan as one compact JSON string and back, through the plan's own converter (<see cref="DpPlanJsonConverter"/>).</summary>
public static class PlanJson
{
    public static string Write(DpPlan plan) => JsonSerializer.Serialize(plan);

    /// <exception cref="FormatException">Not a plan, or one that fails the plan's own validation; the message says which.</exception>
    public static DpPlan Read(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<DpPlan>(json) ?? throw new FormatException("the DP plan is null");
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a DP plan ({e.Message}): {(json.Length > 200 ? json[..200] + "…" : json)}", e);
        }
    }
}
