using Akka.Configuration;

namespace Veil.Actors.Configuration;

/// <summary>`veil.checkpoint.*`.</summary>
public sealed record CheckpointSettings(int EverySteps, double EveryMinutes, int Keep)
{
    public static CheckpointSettings Create(Config c) => new(
        (int)ConfigReading.Double(c, "veil.checkpoint.every-steps", v => v >= 0 && v == Math.Floor(v) && v <= int.MaxValue, "integers [0, ∞)"),
        ConfigReading.Double(c, "veil.checkpoint.every-minutes", v => v >= 0 && double.IsFinite(v), "[0, ∞)"),
        (int)ConfigReading.Double(c, "veil.checkpoint.keep", v => v >= 1 && v <= 1000 && v == Math.Floor(v), "integers [1, 1000]"));
}
