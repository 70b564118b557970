using System.Text;
using System.Text.Json;

namespace Veil.Actors.Cli;

/// <summary>
/// The one JSON object a `--json` command prints as its last stdout line. Keys keep the order given,
/// so scripts and humans see the same shape every time.
/// </summary>
public static class JsonLine
{
    public static string Of(params (string Key, object? Value)[] fields)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
            WriteObject(w, fields);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null:
                w.WriteNullValue();
                break;
            // JSON has no infinity: an unbounded ε (an insecure run, σ = 0) is the string "inf", never a misleading number.
            case double d when double.IsPositiveInfinity(d):
                w.WriteStringValue("inf");
                break;
            case double d when !double.IsFinite(d):
                w.WriteNullValue();
                break;
            case double d:
                w.WriteNumberValue(d);
                break;
            case long l:
                w.WriteNumberValue(l);
                break;
            case int i:
                w.WriteNumberValue(i);
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case IEnumerable<double> numbers:
                w.WriteStartArray();
                foreach (var item in numbers) WriteValue(w, item);
                w.WriteEndArray();
                break;
            case IEnumerable<string> strings:
                w.WriteStartArray();
                foreach (var item in strings) w.WriteStringValue(item);
                w.WriteEndArray();
                break;
            case IEnumerable<(string, object?)[]> objects:
                w.WriteStartArray();
                foreach (var o in objects) WriteObject(w, o);
                w.WriteEndArray();
                break;
            case (string, object?)[] obj:
                WriteObject(w, obj);
                break;
            default:
                w.WriteStringValue(value.ToString());
                break;
        }
    }

    private static void WriteObject(Utf8JsonWriter w, (string Key, object? Value)[] fields)
    {
        w.WriteStartObject();
        foreach (var (key, value) in fields)
        {
            w.WritePropertyName(key);
            WriteValue(w, value);
        }
        w.WriteEndObject();
    }
}
