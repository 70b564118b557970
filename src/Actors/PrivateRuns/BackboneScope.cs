using System.Text.Json;
using Veil.Ledger.Scopes;

namespace Veil.Actors.PrivateRuns;

/// <summary>
/// The examples a backbone was trained on without DP (its public scope), kept in its folder: public-scope.bin
/// (the identities) and public-scope.json (scope id, count, and the check value of the identity key they were
/// made with). A private run that starts from the backbone, or reads its features, refuses a private scope
/// that shares any example with it: those examples already leaked through the backbone's weights.
/// </summary>
public static class BackboneScope
{
    public const string IdentitiesFile = "public-scope.bin";
    public const string DescriptionFile = "public-scope.json";

    private sealed record Description(string ScopeId, int Examples, string IdentityKeyCheck);

    public static void Save(string backboneDirectory, DataScope scope, ExampleIdentityKey key)
    {
        Directory.CreateDirectory(backboneDirectory);
        WriteAtomically(Path.Combine(backboneDirectory, IdentitiesFile), scope.ToBytes());
        WriteAtomically(Path.Combine(backboneDirectory, DescriptionFile),
            JsonSerializer.SerializeToUtf8Bytes(new Description(scope.Id, scope.Count, key.CheckValue), new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Copies a backbone's public scope to a model derived from it (a DP fine-tuned model saw the same public examples).</summary>
    public static void CopyTo(string fromBackbone, string toDirectory)
    {
        foreach (var name in new[] { IdentitiesFile, DescriptionFile })
            if (File.Exists(Path.Combine(fromBackbone, name))) File.Copy(Path.Combine(fromBackbone, name), Path.Combine(toDirectory, name), overwrite: true);
    }

    /// <summary>
    /// The backbone's public scope, made with <paramref name="key"/>; refuses a backbone that does not record one,
    /// or that recorded it with another ledger's key (its identities could not be compared).
    /// </summary>
    public static DataScope Load(string backboneDirectory, ExampleIdentityKey key)
    {
        var description = Path.Combine(backboneDirectory, DescriptionFile);
        var identities = Path.Combine(backboneDirectory, IdentitiesFile);
        if (!File.Exists(description) || !File.Exists(identities))
            throw new PrivateRunRefusedException(
                $"the backbone in {backboneDirectory} does not record which examples it was " +
                $"trained on ({DescriptionFile} is missing), so its data cannot be shown " +
                "to be disjoint from the private data; pre-train it again with `./run.sh pretrain` (backbones now record their public scope)");
        var d = JsonSerializer.Deserialize<Description>(File.ReadAllText(description))
            ?? throw new PrivateRunRefusedException($"{description} is empty; pre-train the backbone again");
        if (d.IdentityKeyCheck != key.CheckValue)
            throw new PrivateRunRefusedException(
                $"the backbone in {backboneDirectory} recorded its public examples with another ledger's identity key (check {d.IdentityKeyCheck[..12]}), " +
                "so they cannot be compared with this run's private examples; pre-train it again with this ledger (veil.privacy.ledger.*), or use that ledger");
        var scope = DataScope.FromBytes(d.ScopeId, File.ReadAllBytes(identities));
        return scope;
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var temporary = path + ".partial";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }
}
