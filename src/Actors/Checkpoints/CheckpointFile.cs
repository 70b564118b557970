using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

using Veil.Ledger.Plan;

namespace Veil.Actors.Checkpoints;

/// <summary>
/// The on-disk form of a checkpoint:
/// <code>
/// "VEILCKPT" | int32 version (2) | int32 metadata length | metadata JSON (UTF-8)
/// | int32 n | n float32 parameters | int32 m | m float32 velocity | int32 k | k float32 average (k = 0: none) | SHA-256 of everything before it
/// </code>
/// Little-endian. The trailing hash makes a torn or corrupted file detectable on load. Version 1 (no average) still reads.
/// </summary>
public static class CheckpointFile
{
    private static readonly byte[] Magic = "VEILCKPT"u8.ToArray();
    private const int Version = 2;

    private sealed record Metadata(string RunId, long StepsApplied, long ParameterVersion, string Model, string PlanJson,
        string SamplerSeedHex, string NoiseSeedHex, long LedgerSequence, long LedgerEventsOfRun, DateTimeOffset CreatedUtc);

    public static byte[] Encode(Checkpoint c)
    {
        var meta = JsonSerializer.SerializeToUtf8Bytes(new Metadata(c.RunId, c.StepsApplied, c.ParameterVersion, c.Model, PlanJson.Write(c.Plan),
            c.SamplerSeedHex, c.NoiseSeedHex, c.LedgerSequence, c.LedgerEventsOfRun, c.CreatedUtc));
        using var body = new MemoryStream();
        body.Write(Magic);
        WriteInt32(body, Version);
        WriteInt32(body, meta.Length);
        body.Write(meta);
        WriteFloats(body, c.Parameters);
        WriteFloats(body, c.Velocity);
        WriteFloats(body, c.Average ?? []);
        var hash = SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length));
        body.Write(hash);
        return body.ToArray();
    }

    /// <summary>Decodes and verifies; throws <see cref="CorruptCheckpointException"/> naming what is wrong.</summary>
    public static Checkpoint Decode(byte[] bytes, string path)
    {
        if (bytes.Length < Magic.Length + 8 + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new CorruptCheckpointException(path, "not a Veil checkpoint (bad header)");
        var content = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(content).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            throw new CorruptCheckpointException(path, "checksum mismatch (torn write or corruption)");
        var offset = Magic.Length;
        var version = ReadInt32(bytes, ref offset);
        if (version is < 1 or > Version)
            throw new CorruptCheckpointException(path, $"format version {version}; this Veil reads versions 1 to {Version}");
        var metaLength = ReadInt32(bytes, ref offset);
        var meta = JsonSerializer.Deserialize<Metadata>(bytes.AsSpan(offset, metaLength))
            ?? throw new CorruptCheckpointException(path, "empty metadata");
        offset += metaLength;
        DpPlan plan;
        try
        {
            plan = Veil.Ledger.Plan.PlanJson.Read(meta.PlanJson);
        }
        catch (FormatException e)
        {
            throw new CorruptCheckpointException(path, $"its DP plan does not read: {e.Message}");
        }
        var parameters = ReadFloats(bytes, ref offset, path);
        var velocity = ReadFloats(bytes, ref offset, path);
        var average = version >= 2 ? ReadFloats(bytes, ref offset, path) : [];
        return new Checkpoint(meta.RunId, meta.StepsApplied, meta.ParameterVersion, meta.Model, plan, meta.SamplerSeedHex,
            meta.NoiseSeedHex, meta.LedgerSequence, meta.LedgerEventsOfRun, meta.CreatedUtc, parameters, velocity, average.Length == 0 ? null : average);
    }

    private static void WriteInt32(Stream s, int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        s.Write(b);
    }

    private static int ReadInt32(byte[] bytes, ref int offset)
    {
        var v = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset, 4));
        offset += 4;
        return v;
    }

    private static void WriteFloats(Stream s, float[] values)
    {
        WriteInt32(s, values.Length);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("checkpoints are little-endian");
        s.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static float[] ReadFloats(byte[] bytes, ref int offset, string path)
    {
        var n = ReadInt32(bytes, ref offset);
        if (n < 0 || offset + 4L * n > bytes.Length - 32) throw new CorruptCheckpointException(path, "array length runs past the end");
        var values = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(offset, 4 * n)).ToArray();
        offset += 4 * n;
        return values;
    }
}
