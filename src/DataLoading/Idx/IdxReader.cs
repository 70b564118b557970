using System.Buffers.Binary;
using System.IO.Compression;
using Veil.DataLoading.Datasets;

namespace Veil.DataLoading.Idx;

/// <summary>
/// Reads IDX files, gzip-compressed or raw (told apart by the gzip magic, not the file name, so a
/// decompressed copy named .gz still loads). Everything that can be wrong with the bytes becomes a
/// <see cref="DatasetFormatException"/> naming the file: a corrupt download must fail at load time
/// with a fix, never later as an IndexOutOfRangeException inside a step.
/// </summary>
public static class IdxReader
{
    // Growth step when the decompressed size is not known up front. A corrupt header can claim
    // gigabytes; growing in steps means a short file fails after reading what it has instead of
    // after allocating what it claims.
    private const int InitialChunk = 16 << 20;

    private const string ReinstallHint =
        "the file is corrupt or incomplete; reinstall it (apt-get install --reinstall dataset-fashion-mnist) or copy it again";

    /// <summary>Reads an images file: magic 0x00000803, dimensions [count, rows, columns], rows and columns &gt; 0.</summary>
    public static IdxArray ReadImages(string path) => Read(path, IdxFormat.ImagesMagic, "images [count, rows, columns]");

    /// <summary>Reads a labels file: magic 0x00000801, dimensions [count].</summary>
    public static IdxArray ReadLabels(string path) => Read(path, IdxFormat.LabelsMagic, "labels [count]");

    private static IdxArray Read(string path, int expectedMagic, string expectedShape)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: no such file; set veil.data.path to the directory holding the IDX files", path);

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        Span<byte> head = stackalloc byte[2];
        int headLength = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        file.Position = 0;
        bool gzip = IdxFormat.IsGzip(head[..headLength]);

        try
        {
            using Stream content = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file;
            return ReadContent(content, path, gzip, gzip ? GzipSizeHint(file) : file.Length, expectedMagic, expectedShape);
        }
        catch (InvalidDataException e)
        {
            throw new DatasetFormatException(path, $"not a valid gzip stream ({e.Message}); {ReinstallHint}", e);
        }
    }

    private static IdxArray ReadContent(Stream content, string path, bool gzip, long sizeHint, int expectedMagic, string expectedShape)
    {
        string kind = gzip ? "decompressed content" : "file";
        Span<byte> word = stackalloc byte[4];
        int got = content.ReadAtLeast(word, 4, throwOnEndOfStream: false);
        if (got < 4)
            throw new DatasetFormatException(path, $"{kind} is {got} bytes long, too short for an IDX header; {ReinstallHint}");

        int magic = BinaryPrimitives.ReadInt32BigEndian(word);
        if (magic != expectedMagic)
            throw new DatasetFormatException(path, DescribeWrongMagic(magic, expectedMagic, expectedShape));

        int rank = expectedMagic & 0xff;
        var dimensions = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            got = content.ReadAtLeast(word, 4, throwOnEndOfStream: false);
            if (got < 4)
                throw new DatasetFormatException(path, $"header ends inside dimension {d} of {rank} ({expectedShape}); {ReinstallHint}");
            dimensions[d] = BinaryPrimitives.ReadInt32BigEndian(word);
            // The outer count may be zero (an empty split); an image with zero rows or columns is not an image.
            if (dimensions[d] < 0 || (d > 0 && dimensions[d] == 0))
                throw new DatasetFormatException(path, $"dimension {d} is {dimensions[d]} ({expectedShape}); {ReinstallHint}");
        }

        long payload = 1;
        foreach (int size in dimensions) payload *= size;   // at most 3 int32 factors: fits a long only if checked
        if (payload > Array.MaxLength)
            throw new DatasetFormatException(path, $"dimensions [{string.Join(", ", dimensions)}] describe {payload} bytes, more than one array can hold");

        long headerLength = 4L + 4L * rank;
        if (!gzip && sizeHint != headerLength + payload)
            throw new DatasetFormatException(path, DescribeLengthMismatch(dimensions, payload, sizeHint - headerLength));

        byte[] data = ReadPayload(content, path, (int)payload, gzip && (uint)sizeHint == (uint)(headerLength + payload), dimensions);

        // Exactly the promised payload and nothing after it: trailing bytes mean the header is wrong.
        long extra = CountRemaining(content);
        if (extra > 0)
            throw new DatasetFormatException(path, DescribeLengthMismatch(dimensions, payload, payload + extra));

        return new IdxArray(path, dimensions, data);
    }

    private static byte[] ReadPayload(Stream content, string path, int length, bool lengthIsConfirmed, int[] dimensions)
    {
        var data = new byte[lengthIsConfirmed ? length : Math.Min(length, InitialChunk)];
        int filled = 0;
        while (filled < length)
        {
            if (filled == data.Length)
                Array.Resize(ref data, (int)Math.Min(length, 2L * data.Length));
            int read = content.Read(data, filled, data.Length - filled);
            if (read == 0)
                throw new DatasetFormatException(path, DescribeLengthMismatch(dimensions, length, filled));
            filled += read;
        }
        return data;
    }

    private static long CountRemaining(Stream content)
    {
        var scratch = new byte[8192];
        long total = 0;
        int read;
        while ((read = content.Read(scratch, 0, scratch.Length)) > 0) total += read;
        return total;
    }

    // gzip's trailer ends with ISIZE, the uncompressed length mod 2^32 (RFC 1952). It is only a
    // hint for sizing the buffer (multi-member files break it); the payload check stays exact.
    private static long GzipSizeHint(FileStream file)
    {
        if (file.Length < 18) return -1;
        long position = file.Position;
        Span<byte> trailer = stackalloc byte[4];
        file.Position = file.Length - 4;
        file.ReadExactly(trailer);
        file.Position = position;
        return BinaryPrimitives.ReadUInt32LittleEndian(trailer);
    }

    private static string DescribeWrongMagic(int magic, int expectedMagic, string expectedShape)
    {
        string found = $"magic number 0x{magic:X8}, expected 0x{expectedMagic:X8} ({expectedShape})";
        if ((magic >> 16) != 0)
            return $"not an IDX file: {found}; {ReinstallHint}";
        if (((magic >> 8) & 0xff) != IdxFormat.UnsignedByte)
            return $"IDX data type 0x{(magic >> 8) & 0xff:X2} is not unsigned byte (0x08): {found}";
        return $"IDX file has {magic & 0xff} dimensions where {expectedMagic & 0xff} are needed: {found}; was an images file swapped with a labels file?";
    }

    private static string DescribeLengthMismatch(int[] dimensions, long expected, long actual) =>
        actual < expected
            ? $"truncated payload: header dimensions [{string.Join(", ", dimensions)}] need {expected} bytes, only {actual} present; {ReinstallHint}"
            : $"payload too long: header dimensions [{string.Join(", ", dimensions)}] need {expected} bytes, {actual} present; {ReinstallHint}";
}
