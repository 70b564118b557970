using System.Buffers.Binary;
using System.Text;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;
using Veil.Ledger.Scopes;

namespace Veil.DataLoading.Identity;

/// <summary>
/// The privacy ledger's identity of each training example: a keyed hash of its decoded content (shape and
/// pixels in channel, row, column order), never of its file, name, position or label. The same image is
/// the same record whether it came from the IDX files, a PNG folder or a tar shard, and whatever label a
/// recipe gives it (a class split relabels: still the same people). A lossy re-encoding (JPEG) changes the
/// pixels and so the identity: that is a limit of content identity, stated in docs/privacy-model.md.
/// </summary>
public static class ExampleIdentities
{
    /// <summary>The identity of one decoded image.</summary>
    public static ulong Of(ExampleIdentityKey key, ImageShape shape, ReadOnlySpan<byte> pixels)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteInt32BigEndian(header, shape.Channels);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], shape.Height);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], shape.Width);
        var content = new byte[header.Length + pixels.Length];
        header.CopyTo(content);
        pixels.CopyTo(content.AsSpan(header.Length));
        return key.Identify(content);
    }

    /// <summary>Every example of an in-memory dataset (IDX, CIFAR, synthetic), in index order.</summary>
    public static ulong[] Of(ExampleIdentityKey key, ImageDataset data)
    {
        var shape = new ImageShape(data.Channels, data.Height, data.Width);
        var size = data.ExampleSize;
        var identities = new ulong[data.Count];
        Parallel.For(0, data.Count, i => identities[i] = Of(key, shape, data.Pixels.AsSpan(i * size, size)));
        return identities;
    }

    /// <summary>
    /// Every example of a source, decoded once, in index order. A damaged example (which the corrupt-example
    /// policy may skip) still gets an identity, from its position in the source: it is some person's record,
    /// and counting it where it contributed nothing only over-counts.
    /// </summary>
    public static ulong[] Of(ExampleIdentityKey key, IImageSource source)
    {
        if (source is InMemoryImageSource memory) return Of(key, memory.Dataset);
        var identities = new ulong[source.Count];
        Parallel.For(0, source.Count, i =>
        {
            try
            {
                var image = source.Decode(i);
                identities[i] = Of(key, image.Shape, image.Pixels.Span);
            }
            catch (DatasetFormatException)
            {
                identities[i] = key.Identify(Encoding.UTF8.GetBytes($"veil.damaged-example.v1\n{source.Fingerprint}\n{i}"));
            }
        });
        return identities;
    }
}
