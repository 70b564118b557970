using Akka.Configuration;
using Veil.Compute.Transfer;

namespace Veil.Actors.Configuration;

/// <summary>`veil.init.*`: start from a pre-trained backbone (and what of it is trainable) or from a seeded random initialisation.</summary>
public sealed record InitSettings(string From, string Trainable)
{
    public static InitSettings Random { get; } = new("", "all");

    public static readonly IReadOnlyList<string> TrainableChoices = ["all", "last-block", "last-layer"];

    [System.Text.Json.Serialization.JsonIgnore]
    public bool FromBackbone => !string.IsNullOrWhiteSpace(From);

    public static InitSettings Create(Config c)
    {
        var from = c.GetString("veil.init.from") ?? "";
        var trainable = ConfigReading.OneOf(c, "veil.init.trainable", TrainableChoices);
        if (string.IsNullOrWhiteSpace(from) && trainable != "all")
            throw new ConfigurationException(
                $"veil.init.trainable = {trainable} freezes part of a pre-trained backbone, " +
                $"but veil.init.from is empty; set veil.init.from = \"runs/<id>/backbone\" or trainable = all");
        return new InitSettings(from, trainable);
    }

    [System.Text.Json.Serialization.JsonIgnore]
    public Trainable Parts => Trainable switch
    {
        "last-block" => Compute.Transfer.Trainable.LastBlock,
        "last-layer" => Compute.Transfer.Trainable.LastLayer,
        _ => Compute.Transfer.Trainable.All,
    };
}
