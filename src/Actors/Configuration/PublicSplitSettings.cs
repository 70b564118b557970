using Akka.Configuration;
using Veil.DataLoading.PublicPrivate;

namespace Veil.Actors.Configuration;

/// <summary>`veil.public.*`: which part of the training split is public (pre-training) and which is private (DP training).</summary>
public sealed record PublicSplitSettings(string Split, int Size, ulong Seed, int[] Classes)
{
    public static PublicSplitSettings None { get; } = new("none", 0, 0, []);

    public static readonly IReadOnlyList<string> Splits = ["none", "subset", "classes"];

    [System.Text.Json.Serialization.JsonIgnore]
    public bool Enabled => Split != "none";

    public static PublicSplitSettings Create(Config c)
    {
        var split = ConfigReading.OneOf(c, "veil.public.split", Splits);
        var size = (int)ConfigReading.Double(c, "veil.public.size", v => v >= 1 && v <= int.MaxValue && v == Math.Floor(v), "integers [1, 2³¹)");
        var seed = ConfigReading.UnsignedSeed(c, "veil.public.seed");
        int[] classes;
        try
        {
            classes = c.GetIntList("veil.public.classes").ToArray();
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ConfigurationException)
        {
            throw new ConfigurationException($"veil.public.classes must be a list of class indices, e.g. [0, 1, 2, 3, 4] ({e.Message})");
        }
        if (split == "classes" && classes.Length == 0)
            throw new ConfigurationException("veil.public.split = classes needs veil.public.classes, e.g. [0, 1, 2, 3, 4]");
        if (split != "classes" && classes.Length > 0)
            throw new ConfigurationException(
                $"veil.public.classes is set but veil.public.split = {split}; set veil.public.split = classes or leave veil.public.classes = []");
        return new PublicSplitSettings(split, size, seed, classes);
    }

    /// <summary>The split DataLoading applies, or null when the whole training split is private.</summary>
    public PublicSplit? ToSplit() => Split switch
    {
        "subset" => new SubsetSplit(Size, Seed),
        "classes" => new ClassSplit(Classes),
        _ => null,
    };
}
