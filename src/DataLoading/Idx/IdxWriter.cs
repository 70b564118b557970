using System.Buffers.Binary;
using System.IO.Compression;
using Veil.DataLoading.Datasets;

namespace Veil.DataLoading.Idx;

/// <summary>
/// Writes IDX files, gzip-compressed when the path ends in ".gz". Exists so tests of every layer
/// can make real dataset files (synthetic or deliberately corrupt) without a download.
/// </summary>
public static class IdxWriter
{
    /// <summary>Writes images [count, rows, columns]; <paramref name="pixels"/> must hold count·rows·columns bytes.</summary>
    public static void WriteImages(string path, int count, int rows, int columns, ReadOnlySpan<byte> pixels)
    {
        if (count < 0 || rows <= 0 || columns <= 0)
            throw new ArgumentException($"image dimensions [{count}, {rows}, {columns}] must be non-negative count and positive rows and columns");
        if ((long)count * rows * columns != pixels.Length)
            throw new ArgumentException($"{pixels.Length} pixel bytes do not fill [{count}, {rows}, {columns}]", nameof(pixels));
        Write(path, IdxFormat.ImagesMagic, [count, rows, columns], pixels);
    }

    /// <summary>Writes labels [count].</summary>
    public static void WriteLabels(string path, ReadOnlySpan<byte> labels) =>
        Write(path, IdxFormat.LabelsMagic, [labels.Length], labels);

    /// <summary>
    /// Writes a single-channel dataset as an images file and a labels file (IDX has no channel
    /// dimension, so multi-channel datasets are refused rather than silently flattened).
    /// </summary>
    public static void WriteDataset(ImageDataset dataset, string imagesPath, string labelsPath)
    {
        if (dataset.Channels != 1)
            throw new ArgumentException($"IDX images have one channel; {dataset.Name} has {dataset.Channels}", nameof(dataset));
        WriteImages(imagesPath, dataset.Count, dataset.Height, dataset.Width, dataset.Pixels);
        WriteLabels(labelsPath, dataset.Labels);
    }

    private static void Write(string path, int magic, int[] dimensions, ReadOnlySpan<byte> payload)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        using Stream output = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true)
            : file;
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, magic);
        output.Write(word);
        foreach (int size in dimensions)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, size);
            output.Write(word);
        }
        output.Write(payload);
    }
}
