using System.Text.Json;
using System.Text.Json.Serialization;

namespace Veil.Ledger.Events;

/// <summary>Writes and reads a DP event inside a larger JSON document in its ledger form (<see cref="DpEventJson"/>).</summary>
public sealed class DpEventJsonConverter : JsonConverter<DpEvent>
{
    public override DpEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        try
        {
            return DpEventJson.Deserialize(document.RootElement.GetRawText());
        }
        catch (FormatException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, DpEvent value, JsonSerializerOptions options) =>
        writer.WriteRawValue(DpEventJson.Serialize(value));
}
