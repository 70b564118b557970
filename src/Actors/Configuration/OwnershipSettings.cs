using System.Text.Json.Serialization;
using Akka.Configuration;
using Veil.DataLoading.Sources;

namespace Veil.Actors.Configuration;

/// <summary>`veil.data.owners.*`: where each training example's user comes from (what user-level privacy protects).</summary>
public sealed record OwnershipSettings(
    string From, string Manifest, [property: JsonConverter(typeof(JsonStringEnumConverter))] FolderLayout FolderLayout, int SyntheticUsers,
    ulong SyntheticSeed)
{
    public static OwnershipSettings None { get; } = new("none", "", FolderLayout.Class, 0, 0);

    public static readonly IReadOnlyList<string> Sources = ["none", "manifest", "folder", "synthetic"];

    public static readonly IReadOnlyList<(string Word, FolderLayout Value)> Layouts =
        [("class/user", FolderLayout.ClassThenUser), ("user/class", FolderLayout.UserThenClass)];

    [JsonIgnore]
    public bool Declared => From != "none";

    /// <summary>The layout to open an image folder with: the user level only when owners come from the folder.</summary>
    [JsonIgnore]
    public FolderLayout SourceLayout => From == "folder" ? FolderLayout : FolderLayout.Class;

    public static OwnershipSettings Create(Config c)
    {
        var from = ConfigReading.OneOf(c, "veil.data.owners.from", Sources);
        var manifest = c.GetString("veil.data.owners.manifest") ?? "";
        var layout = ConfigChoice.Read(c, "veil.data.owners.folder-layout", Layouts);
        var users = (int)ConfigReading.Double(
            c, "veil.data.owners.synthetic-users", v => v >= 1 && v <= int.MaxValue && v == Math.Floor(v), "integers [1, 2³¹)");
        var seed = ConfigReading.UnsignedSeed(c, "veil.data.owners.synthetic-seed");
        if (from == "manifest" && string.IsNullOrWhiteSpace(manifest))
            throw new ConfigurationException("veil.data.owners.from = manifest needs veil.data.owners.manifest: a .csv or .jsonl file of example → user");
        if (from != "manifest" && !string.IsNullOrWhiteSpace(manifest))
            throw new ConfigurationException(
                $"veil.data.owners.manifest is set but veil.data.owners.from = {from}: set from = manifest to use it, or clear the manifest");
        return new OwnershipSettings(from, manifest, layout, users, seed);
    }
}
