using System.Formats.Tar;
using Veil.DataLoading.Datasets;

namespace Veil.DataLoading.Sources;

/// <summary>
/// Writes an <see cref="ImageDataset"/> as WebDataset-style tar shards: <c>prefix-000000.tar</c>, … each
/// holding up to <c>shardSize</c> examples as two adjacent members, <c>&lt;key&gt;.cls</c> (the label as
/// ASCII digits) then <c>&lt;key&gt;.png|jpg</c>, key the zero-padded example index. Ustar headers with a
/// fixed time stamp, so the same data always gives the same bytes.
/// </summary>
public static class TarShardWriter
{
    /// <returns>The shard files, in order.</returns>
    public static IReadOnlyList<string> Write(ImageDataset dataset, string directory, int shardSize, ImageFileFormat format,
                                              string prefix = "shard", int jpegQuality = 95, int threads = 0)
    {
        if (shardSize < 1) throw new ArgumentOutOfRangeException(nameof(shardSize), shardSize, "a shard holds at least 1 example (--shard-size)");
        Directory.CreateDirectory(directory);
        var shape = new ImageShape(dataset.Channels, dataset.Height, dataset.Width);
        int size = dataset.ExampleSize, digits = Math.Max(6, dataset.Count.ToString().Length);
        int shards = (dataset.Count + shardSize - 1) / shardSize;
        var paths = Enumerable.Range(0, shards).Select(s => Path.Combine(directory, $"{prefix}-{s:D6}.tar")).ToArray();
        Parallel.For(0, shards, new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount }, s =>
        {
            using var file = new FileStream(paths[s], FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            using var tar = new TarWriter(file, TarEntryFormat.Ustar, leaveOpen: false);
            for (int i = s * shardSize; i < Math.Min(dataset.Count, (s + 1) * shardSize); i++)
            {
                string key = i.ToString("D" + digits);
                Add(tar, key + ".cls", System.Text.Encoding.ASCII.GetBytes(dataset.Labels[i].ToString()));
                Add(tar, key + "." + format.Extension(), SkiaImageCodec.Encode(shape, dataset.Pixels.AsSpan(i * size, size), format, jpegQuality));
            }
        });
        return paths;
    }

    private static void Add(TarWriter tar, string name, byte[] content)
    {
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = new MemoryStream(content, writable: false),
            ModificationTime = DateTimeOffset.UnixEpoch,
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        };
        tar.WriteEntry(entry);
    }
}
