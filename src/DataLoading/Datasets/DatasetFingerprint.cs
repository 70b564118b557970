using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Veil.DataLoading.Datasets;

/// <summary>
/// The privacy ledger's dataset key: SHA-256 over a dataset's content, never its path, so the
/// same data copied elsewhere is the same key (its ε budget keeps adding up) and one changed
/// byte is a different dataset.
///
/// Canonical byte layout (version 1; changing it changes every key, so bump the tag):
///   the 28 ASCII bytes "veil.dataset-fingerprint.v1\n"
///   int32 little-endian: count, channels, height, width, classes
///   count × channels × height × width pixel bytes (example, channel, row, column order)
///   count label bytes
/// The name and source are excluded on purpose: they describe where the data is, not what it is.
/// </summary>
public static class DatasetFingerprint
{
    private static readonly byte[] Tag = Encoding.ASCII.GetBytes("veil.dataset-fingerprint.v1\n");

    /// <summary>Lower-case hex SHA-256 (64 characters) of the dataset's canonical bytes.</summary>
    public static string Of(ImageDataset dataset)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Tag);
        Span<byte> shape = stackalloc byte[20];
        BinaryPrimitives.WriteInt32LittleEndian(shape[0..], dataset.Count);
        BinaryPrimitives.WriteInt32LittleEndian(shape[4..], dataset.Channels);
        BinaryPrimitives.WriteInt32LittleEndian(shape[8..], dataset.Height);
        BinaryPrimitives.WriteInt32LittleEndian(shape[12..], dataset.Width);
        BinaryPrimitives.WriteInt32LittleEndian(shape[16..], dataset.Classes);
        hash.AppendData(shape);
        hash.AppendData(dataset.Pixels);
        hash.AppendData(dataset.Labels);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
