using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Veil.Ledger.Events;

/// <summary>
/// The stable JSON form of DP events, as stored in the ledger. Field order and names are fixed and
/// numbers are written in shortest round-trip form, so one event always has one byte string: the ledger
/// hashes it, and a record written today must still parse (and hash the same) years from now.
/// <code>
/// {"type":"gaussian","noise_multiplier":1.1}
/// {"type":"poisson_sampled","sampling_rate":0.04,"event":{...}}
/// {"type":"self_composed","count":2250,"event":{...}}
/// {"type":"composed","events":[{...},...]}
/// {"type":"user_level","examples_per_user":10,"event":{...}}
/// {"type":"insecure-randomness","inner":{...}}
/// </code>
/// </summary>
public static class DpEventJson
{
    public static string Serialize(DpEvent dpEvent)
    {
        var sb = new StringBuilder();
        Write(sb, dpEvent);
        return sb.ToString();
    }

    public static DpEvent Deserialize(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return Read(doc.RootElement);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Not a DP event (invalid JSON: {e.Message}): {Truncate(json)}", e);
        }
    }

    private static void Write(StringBuilder sb, DpEvent dpEvent)
    {
        switch (dpEvent)
        {
            case GaussianEvent g:
                sb.Append("{\"type\":\"gaussian\",\"noise_multiplier\":").Append(Number(g.NoiseMultiplier)).Append('}');
                break;
            case PoissonSampled p:
                sb.Append("{\"type\":\"poisson_sampled\",\"sampling_rate\":").Append(Number(p.SamplingRate)).Append(",\"event\":");
                Write(sb, p.Inner);
                sb.Append('}');
                break;
            case SelfComposed s:
                sb.Append("{\"type\":\"self_composed\",\"count\":").Append(s.Count.ToString(CultureInfo.InvariantCulture)).Append(",\"event\":");
                Write(sb, s.Inner);
                sb.Append('}');
                break;
            case Composed c:
                sb.Append("{\"type\":\"composed\",\"events\":[");
                for (var i = 0; i < c.Events.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    Write(sb, c.Events[i]);
                }
                sb.Append("]}");
                break;
            case UserLevel u:
                sb.Append("{\"type\":\"user_level\",\"examples_per_user\":").Append(u.ExamplesPerUser.ToString(CultureInfo.InvariantCulture))
                    .Append(",\"event\":");
                Write(sb, u.Inner);
                sb.Append('}');
                break;
            case InsecureRandomness i:
                sb.Append("{\"type\":\"insecure-randomness\",\"inner\":");
                Write(sb, i.Inner);
                sb.Append('}');
                break;
            default:
                throw new ArgumentException($"No stable JSON form for {dpEvent.GetType().Name}; add one before storing it.", nameof(dpEvent));
        }
    }

    private static DpEvent Read(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            throw new FormatException($"Not a DP event (an object with a \"type\" is expected): {Truncate(e.GetRawText())}");
        try
        {
            return type.GetString() switch
            {
                "gaussian" => new GaussianEvent(Required(e, "noise_multiplier").GetDouble()),
                "poisson_sampled" => new PoissonSampled(Required(e, "sampling_rate").GetDouble(), Read(Required(e, "event"))),
                "self_composed" => new SelfComposed(Read(Required(e, "event")), Required(e, "count").GetInt64()),
                "composed" => new Composed(Required(e, "events").EnumerateArray().Select(Read).ToArray()),
                "insecure-randomness" => new InsecureRandomness(Read(Required(e, "inner"))),
                "user_level" => new UserLevel(Read(Required(e, "event")), Required(e, "examples_per_user").GetInt32()),
                var other => throw new FormatException(
                    $"Unknown DP event type \"{other}\" (known: gaussian, poisson_sampled, self_composed, composed, user_level, insecure-randomness)."),
            };
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            throw new FormatException($"Invalid DP event {Truncate(e.GetRawText())}: {ex.Message}", ex);
        }
    }

    private static JsonElement Required(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v : throw new FormatException($"DP event lacks \"{name}\": {Truncate(e.GetRawText())}");

    private static string Number(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "…";
}
