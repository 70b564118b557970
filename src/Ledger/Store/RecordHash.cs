using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Veil.Ledger.Store;

/// <summary>
/// SHA-256 over (previous hash ‖ record), in a canonical byte layout that any store (SQLite, PostgreSQL)
/// reproduces exactly:
/// <code>
/// "veil-ledger-v1" (ASCII)
/// sequence             int64 big-endian
/// release id           length-prefixed UTF-8 (int32 big-endian byte count, then bytes)
/// dataset fingerprint  length-prefixed UTF-8
/// run id               length-prefixed UTF-8
/// step                 int64 big-endian
/// event JSON           length-prefixed UTF-8 (the stable form of DpEventJson)
/// timestamp            int64 big-endian, Unix milliseconds UTC
/// previous hash        length-prefixed ASCII hex
/// </code>
/// Length prefixes make the layout unambiguous: no two different records share bytes.
/// The hash is lower-case hex.
/// </summary>
public static class RecordHash
{
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("veil-ledger-v1");

    public static string Of(long sequence, string releaseId, string datasetFingerprint, string runId, long step,
        string eventJson, long timestampUnixMs, string previousHash)
    {
        using var buffer = new MemoryStream();
        buffer.Write(Domain);
        WriteInt64(buffer, sequence);
        WriteText(buffer, releaseId);
        WriteText(buffer, datasetFingerprint);
        WriteText(buffer, runId);
        WriteInt64(buffer, step);
        WriteText(buffer, eventJson);
        WriteInt64(buffer, timestampUnixMs);
        WriteText(buffer, previousHash);
        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    public static string Of(LedgerRecord r) =>
        Of(r.Sequence, r.ReleaseId, r.DatasetFingerprint, r.RunId, r.Step, r.EventJson, r.TimestampUnixMs, r.PreviousHash);

    private static void WriteInt64(Stream s, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        s.Write(bytes);
    }

    private static void WriteText(Stream s, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        s.Write(length);
        s.Write(bytes);
    }
}
