using Veil.DataLoading.Datasets;

namespace Veil.DataLoading.Sources;

/// <summary>
/// Opens a training source from one string (the CLI's <c>--source</c>, HOCON's <c>veil.data.source</c>):
/// <list type="bullet">
/// <item><c>fashion-mnist</c> — the embedded default (IDX files, Debian's location or <paramref name="idxPath"/>);</item>
/// <item>anything ending in <c>.tar</c>, with a glob or brace range, or a folder of <c>.tar</c> files — tar shards;</item>
/// <item>any other folder — an image-folder tree;</item>
/// <item><c>synthetic:cifar[:N]</c>, <c>synthetic:cifar-test[:N]</c> — generated 3×32×32
/// images for benchmarks and tests (<see cref="SyntheticSource"/>; not real data).</item>
/// </list>
/// Whatever it names must exist now: missing data is an error at start, never mid-run.
/// </summary>
public static class ImageSources
{
    public static IImageSource Open(string spec, CorruptExamplePolicy onCorrupt = CorruptExamplePolicy.Fail, int? channels = null, string? idxPath = null,
        FolderLayout layout = FolderLayout.Class)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new ArgumentException("the data source is empty; name fashion-mnist, an image folder or tar shards");
        if (spec.Equals("fashion-mnist", StringComparison.OrdinalIgnoreCase))
            return new InMemoryImageSource(FashionMnist.Load(string.IsNullOrWhiteSpace(idxPath) ? null : idxPath).Train);
        if (SyntheticSource.Names(spec)) return SyntheticSource.Open(spec);
        if (IsShards(spec)) return TarShardSource.Open(spec, onCorrupt, channels: channels);
        if (Directory.Exists(spec)) return ImageFolderSource.Open(spec, channels, layout);
        throw new DatasetNotFoundException(
            $"data source {spec} does not exist (neither fashion-mnist, synthetic:cifar, an image folder, nor tar shards)", [spec]);
    }

    /// <summary>True when <paramref name="spec"/> names tar shards rather than an image folder.</summary>
    public static bool IsShards(string spec) =>
        spec.EndsWith(".tar", StringComparison.OrdinalIgnoreCase)
        || (Directory.Exists(spec) && Directory.EnumerateFiles(spec, "*.tar").Any());
}
