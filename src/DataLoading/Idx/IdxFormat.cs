namespace Veil.DataLoading.Idx;

/// <summary>
/// Constants of the IDX format (LeCun's MNIST files): a big-endian magic number
/// 0x00 0x00 [data type] [dimension count], then one big-endian int32 per dimension, then the
/// payload. Kept in one place so the reader and writer cannot drift apart.
/// </summary>
public static class IdxFormat
{
    /// <summary>Data type code for unsigned bytes, the only one Veil reads.</summary>
    public const byte UnsignedByte = 0x08;

    /// <summary>Magic of a rank-3 unsigned-byte file: images [count, rows, columns].</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic of a rank-1 unsigned-byte file: labels [count].</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>The first two bytes of every gzip stream (RFC 1952), used to tell .gz from raw.</summary>
    internal static bool IsGzip(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b;
}
