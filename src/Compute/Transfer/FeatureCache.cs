using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Veil.Compute.Transfer;

/// <summary>
/// Extracted features on disk, keyed by (backbone fingerprint, data fingerprint): a second run on the same
/// backbone and data reads them instead of running the backbone again. A file is
/// "veil.features.v1\n", int64 count, int64 dimension, the floats, then their SHA-256 (a damaged file is
/// recomputed, not trusted). Features of private data are as sensitive as the data: the cache lives beside
/// the runs, not in a shared place.
/// </summary>
public sealed class FeatureCache(string directory)
{
    private static readonly byte[] Tag = Encoding.ASCII.GetBytes("veil.features.v1\n");

    public string Directory { get; } = directory;

    public string PathOf(string backboneFingerprint, string dataFingerprint)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(backboneFingerprint + "\n" + dataFingerprint)));
        return Path.Combine(Directory, key + ".features");
    }

    /// <summary>The cached features, or <paramref name="compute"/>'s (then stored). <paramref name="hit"/> says which.</summary>
    public float[] GetOrCompute(string backboneFingerprint, string dataFingerprint, int count, long dimension, Func<float[]> compute, out bool hit)
    {
        var path = PathOf(backboneFingerprint, dataFingerprint);
        if (TryRead(path, count, dimension) is { } cached)
        {
            hit = true;
            return cached;
        }
        var values = compute();
        if (values.LongLength != count * dimension) throw new ArgumentException($"computed {values.LongLength} features; expected {count} × {dimension}");
        Write(path, values, count, dimension);
        hit = false;
        return values;
    }

    private static float[]? TryRead(string path, int count, long dimension)
    {
        if (!File.Exists(path)) return null;
        var bytes = File.ReadAllBytes(path);
        long payload = (long)count * dimension * sizeof(float);
        if (bytes.LongLength != Tag.Length + 16 + payload + 32 || !bytes.AsSpan(0, Tag.Length).SequenceEqual(Tag)) return null;
        if (BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(Tag.Length)) != count ||
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(Tag.Length + 8)) != dimension) return null;
        var body = bytes.AsSpan(Tag.Length + 16, (int)payload);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan((int)(Tag.Length + 16 + payload)))) return null;
        var values = new float[count * dimension];
        Buffer.BlockCopy(bytes, Tag.Length + 16, values, 0, (int)payload);
        return values;
    }

    private void Write(string path, float[] values, int count, long dimension)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var payload = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, payload, 0, payload.Length);
        var header = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(header, count);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), dimension);
        var temp = path + "." + Environment.ProcessId + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Tag);
            stream.Write(header);
            stream.Write(payload);
            stream.Write(SHA256.HashData(payload));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
