using System.Buffers.Binary;
using System.Security.Cryptography;
using Veil.Ledger.Store;

namespace Veil.Ledger.Scopes;

/// <summary>
/// The examples a run may touch, as a sorted set of example identities (<see cref="ExampleIdentityKey.Identify"/>).
/// Its id is content-addressed, "scope-" + SHA-256 of the identities (8 bytes big-endian each, ascending):
/// a ledger record names its scope by that id, so altering a stored scope changes what it hashes to and
/// the ledger's verification finds it. Two runs on the same examples, however they were selected, get the
/// same scope.
/// </summary>
public sealed class DataScope
{
    public const string IdPrefix = "scope-";

    private readonly ulong[] _identities;

    private DataScope(ulong[] sortedDistinct, string id)
    {
        _identities = sortedDistinct;
        Id = id;
    }

    public string Id { get; }

    public int Count => _identities.Length;

    public ReadOnlySpan<ulong> Identities => _identities;

    /// <summary>Whether a ledger dataset key names a scope; any other key is a legacy dataset fingerprint.</summary>
    public static bool IsScopeKey(string datasetKey) => datasetKey.StartsWith(IdPrefix, StringComparison.Ordinal);

    public static DataScope Of(IEnumerable<ulong> identities)
    {
        ArgumentNullException.ThrowIfNull(identities);
        var sorted = identities.ToArray();
        Array.Sort(sorted);
        var distinct = 0;
        for (var i = 0; i < sorted.Length; i++)
            if (i == 0 || sorted[i] != sorted[distinct - 1]) sorted[distinct++] = sorted[i];
        Array.Resize(ref sorted, distinct);
        return new DataScope(sorted, IdOf(ToBytes(sorted)));
    }

    /// <summary>The stored form: the identities, 8 bytes big-endian each, ascending (what the id hashes).</summary>
    public byte[] ToBytes() => ToBytes(_identities);

    /// <summary>A stored scope, trusted only if its bytes hash to <paramref name="id"/> and list distinct identities in order.</summary>
    public static DataScope FromBytes(string id, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length % sizeof(ulong) != 0 || IdOf(bytes) != id)
            throw new LedgerException(
                $"stored scope {id} does not hash to its id: its example identities were altered or damaged. " +
                $"Run `./run.sh privacy ledger verify`; restore the ledger from a backup");
        var identities = new ulong[bytes.Length / sizeof(ulong)];
        for (var i = 0; i < identities.Length; i++)
        {
            identities[i] = BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(i * sizeof(ulong)));
            // Only a hand-made id could hash an unsorted list; the merge below relies on order, so refuse it.
            if (i > 0 && identities[i] <= identities[i - 1])
                throw new LedgerException($"stored scope {id} is not a sorted set of identities; it was not written by Veil. Restore the ledger from a backup");
        }
        return new DataScope(identities, id);
    }

    public bool Contains(ulong identity) => Array.BinarySearch(_identities, identity) >= 0;

    /// <summary>How many examples this scope and <paramref name="other"/> both hold (a merge of the sorted sets).</summary>
    public int CountShared(DataScope other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var (a, b) = (_identities, other._identities);
        int i = 0, j = 0, shared = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] < b[j]) i++;
            else if (a[i] > b[j]) j++;
            else
            {
                shared++;
                i++;
                j++;
            }
        }
        return shared;
    }

    public override string ToString() => $"{Id[..Math.Min(Id.Length, IdPrefix.Length + 12)]}… ({Count} examples)";

    private static byte[] ToBytes(ulong[] identities)
    {
        var bytes = new byte[identities.Length * sizeof(ulong)];
        for (var i = 0; i < identities.Length; i++) BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(i * sizeof(ulong)), identities[i]);
        return bytes;
    }

    private static string IdOf(byte[] bytes) => IdPrefix + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
