using System.Text.Json;
using System.Text.Json.Serialization;
using Veil.Ledger.Events;

namespace Veil.Ledger.Plan;

/// <summary>
/// The one serialisation of a <see cref="DpPlan"/>: plan.json, settings.json, every checkpoint and the cluster
/// handshake all write it through here, so a plan read back anywhere is the plan that was frozen. The step's DP
/// event is written beside the fields for a reader (and checked when read: a hand-edited plan whose fields no
/// longer give its event is refused). Plans written before the snake_case form (PascalCase keys) still read. A user-level plan
/// says "privacy_unit":"user" and carries "examples_per_user"; its dataset_size is the number of users.
/// <code>
/// {"privacy_unit":"example","sampling":"poisson","sampling_rate":0.034,"noise_multiplier":1.8,"clip_norm":1,"steps":997,
///  "delta":1e-05,"dataset_fingerprint":"…","dataset_size":60000,"expected_batch_size":2048,"step_event":{…}}
/// </code>
/// </summary>
public sealed class DpPlanJsonConverter : JsonConverter<DpPlan>
{
    private static readonly (string Name, string Legacy)[] Keys =
    [
        ("sampling_rate", "SamplingRate"), ("noise_multiplier", "NoiseMultiplier"), ("clip_norm", "ClipNorm"), ("steps", "Steps"),
        ("delta", "Delta"), ("dataset_fingerprint", "DatasetFingerprint"), ("dataset_size", "DatasetSize"),
    ];

    public override void Write(Utf8JsonWriter writer, DpPlan plan, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("privacy_unit", plan.Unit == PrivacyUnit.User ? "user" : "example");
        if (plan.Unit == PrivacyUnit.User) writer.WriteNumber("examples_per_user", plan.ExamplesPerUser);
        writer.WriteString("sampling", "poisson");
        writer.WriteNumber("sampling_rate", plan.SamplingRate);
        writer.WriteNumber("noise_multiplier", plan.NoiseMultiplier);
        writer.WriteNumber("clip_norm", plan.ClipNorm);
        writer.WriteNumber("steps", plan.Steps);
        writer.WriteNumber("delta", plan.Delta);
        writer.WriteString("dataset_fingerprint", plan.DatasetFingerprint);
        writer.WriteNumber("dataset_size", plan.DatasetSize);
        writer.WriteNumber("expected_batch_size", plan.ExpectedBatchSize);
        writer.WritePropertyName("step_event");
        writer.WriteRawValue(DpEventJson.Serialize(plan.StepEvent));
        writer.WriteEndObject();
    }

    public override DpPlan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return FromElement(document.RootElement);
    }

    internal static DpPlan FromElement(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new JsonException($"a DP plan is a JSON object, not {e.ValueKind}");
        JsonElement Field(int i)
        {
            var (name, legacy) = Keys[i];
            if (e.TryGetProperty(name, out var v) || e.TryGetProperty(legacy, out v)) return v;
            throw new JsonException($"the DP plan has no \"{name}\"");
        }
        var unit = PrivacyUnit.Example;
        if (e.TryGetProperty("privacy_unit", out var unitText))
            unit = unitText.GetString() switch
            {
                "example" => PrivacyUnit.Example,
                "user" => PrivacyUnit.User,
                var other => throw new JsonException($"the DP plan's privacy unit \"{other}\" is not one this version knows"),
            };
        var examplesPerUser = 0;
        if (unit == PrivacyUnit.User)
            examplesPerUser = e.TryGetProperty("examples_per_user", out var k) && k.TryGetInt32(out var kValue)
                ? kValue
                : throw new JsonException("the user-level DP plan has no \"examples_per_user\"");
        if (e.TryGetProperty("sampling", out var sampling) && sampling.GetString() != "poisson")
            throw new JsonException($"the DP plan's sampling \"{sampling.GetString()}\" is not poisson");
        DpPlan plan;
        try
        {
            plan = new DpPlan(Field(0).GetDouble(), Field(1).GetDouble(), Field(2).GetDouble(), Field(3).GetInt64(), Field(4).GetDouble(),
                Field(5).GetString() ?? "", Field(6).GetInt64(), unit, examplesPerUser);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new JsonException($"the DP plan is invalid: {ex.Message}", ex);
        }
        if (e.TryGetProperty("step_event", out var stepEvent) && Canonical(stepEvent) != DpEventJson.Serialize(plan.StepEvent))
            throw new JsonException($"the DP plan's step_event {stepEvent.GetRawText()} does not follow from its fields; it was edited");
        return plan;
    }

    private static string Canonical(JsonElement dpEvent)
    {
        try
        {
            return DpEventJson.Serialize(DpEventJson.Deserialize(dpEvent.GetRawText()));
        }
        catch (FormatException e)
        {
            throw new JsonException($"the DP plan's step_event is not a DP event: {e.Message}", e);
        }
    }
}
