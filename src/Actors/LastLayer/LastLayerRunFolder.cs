using System.Text.Json;

namespace Veil.Actors.LastLayer;

/// <summary>Recognises a last-layer run folder (plan.json with "mode": "last-layer"), to refuse --resume with a clear reason.</summary>
public static class LastLayerRunFolder
{
    public static bool Is(string runDirectory)
    {
        var plan = Path.Combine(runDirectory, "plan.json");
        if (!File.Exists(plan)) return false;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(plan));
            return doc.RootElement.TryGetProperty("mode", out var mode) && mode.GetString() == "last-layer";
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
