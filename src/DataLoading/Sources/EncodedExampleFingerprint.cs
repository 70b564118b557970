using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Veil.DataLoading.Sources;

/// <summary>
/// The ledger key of a dataset stored as encoded image files (folders, tar shards): SHA-256 over
/// the *multiset* of examples, each example being (class index, SHA-256 of its file's bytes).
/// Sorting the examples first makes the key independent of file names, folder order and sharding:
/// renaming files or re-sharding the same images cannot start a fresh privacy budget, and an image
/// folder and tar shards written from the same images (same format) share one key.
///
/// Canonical bytes (version 1; a change of layout must change the tag):
///   the ASCII bytes "veil.encoded-examples-fingerprint.v1\n"
///   int32 little-endian: classes, count
///   per example, sorted by (content hash bytes, then label): int32 little-endian label, 32 hash bytes
///
/// Limits: the key is of the encoded bytes, so the same pictures as PNG, as JPEG, or as an IDX array
/// are different keys (keep one encoding per dataset for budgeting); computing it holds 40 bytes
/// per example for the sort (1.2M ImageNet images: ~48 MB), once per open, from cached hashes.
/// </summary>
public static class EncodedExampleFingerprint
{
    private static readonly byte[] Tag = "veil.encoded-examples-fingerprint.v1\n"u8.ToArray();

    public static string Of(int classes, IReadOnlyList<(int Label, byte[] ContentHash)> examples)
    {
        var keys = new Entry[examples.Count];
        for (int i = 0; i < keys.Length; i++)
        {
            byte[] h = examples[i].ContentHash;
            if (h.Length != 32) throw new ArgumentException($"example {i}'s content hash has {h.Length} bytes, not 32");
            keys[i] = new Entry(BinaryPrimitives.ReadUInt128BigEndian(h), BinaryPrimitives.ReadUInt128BigEndian(h.AsSpan(16)), examples[i].Label);
        }
        Array.Sort(keys);

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Tag);
        Span<byte> buffer = stackalloc byte[36];
        BinaryPrimitives.WriteInt32LittleEndian(buffer, classes);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[4..], keys.Length);
        hash.AppendData(buffer[..8]);
        foreach (Entry e in keys)
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer, e.Label);
            BinaryPrimitives.WriteUInt128BigEndian(buffer[4..], e.High);
            BinaryPrimitives.WriteUInt128BigEndian(buffer[20..], e.Low);
            hash.AppendData(buffer);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private readonly record struct Entry(UInt128 High, UInt128 Low, int Label) : IComparable<Entry>
    {
        public int CompareTo(Entry other)
        {
            int c = High.CompareTo(other.High);
            if (c != 0) return c;
            c = Low.CompareTo(other.Low);
            return c != 0 ? c : Label.CompareTo(other.Label);
        }
    }
}
