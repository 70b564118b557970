using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;
using Veil.DataLoading.Tests.Support;
using Xunit;

namespace Veil.DataLoading.Tests.Sources;

public sealed class TarShardSourceTests
{
    [Theory]
    [InlineData(1, 28)]
    [InlineData(3, 32)]
    public void Png_tar_shards_read_back_exactly_the_labels_and_pixels_the_exporter_wrote(int channels, int side)
    {
        using var dir = new TempDirectory();
        ImageDataset data = SyntheticImageDataset.Create(47, seed: 8, height: side, width: side, channels: channels);
        IReadOnlyList<string> shards = TarShardWriter.Write(data, dir.Path, shardSize: 10, ImageFileFormat.Png);
        Assert.Equal(5, shards.Count);

        using var source = TarShardSource.Open(Path.Combine(dir.Path, "shard-{000000..000004}.tar"), classes: 10);
        SourceAssert.ReadsBack(data, source);
    }

    [Fact]
    public void Jpeg_tar_shards_read_back_the_labels_exactly_and_the_pixels_within_jpeg_loss()
    {
        using var dir = new TempDirectory();
        ImageDataset data = SyntheticImageDataset.Create(30, seed: 9);
        TarShardWriter.Write(data, dir.Path, shardSize: 16, ImageFileFormat.Jpeg);
        using var source = TarShardSource.Open(Path.Combine(dir.Path, "shard-*.tar"), classes: 10);
        SourceAssert.ReadsBack(data, source, meanAbsTolerance: 6);
    }

    [Fact]
    public void Decoding_from_many_threads_at_once_gives_every_example_exactly()
    {
        using var dir = new TempDirectory();
        ImageDataset data = SyntheticImageDataset.Create(64, seed: 10);
        TarShardWriter.Write(data, dir.Path, shardSize: 9, ImageFileFormat.Png);
        using var source = TarShardSource.Open(dir.Path, classes: 10);
        var decoded = new byte[data.Count][];
        Parallel.For(0, 4 * data.Count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, j =>
        {
            int i = (j * 37) % data.Count;
            decoded[i] = source.Decode(i).Pixels.ToArray();
        });
        for (int i = 0; i < data.Count; i++) Assert.Equal(data.Pixels.AsSpan(i * 784, 784).ToArray(), decoded[i]);
    }

    [Fact]
    public void The_index_is_built_once_cached_beside_each_shard_and_rebuilt_when_the_shard_changes()
    {
        using var dir = new TempDirectory();
        IReadOnlyList<string> shards = TarShardWriter.Write(SyntheticImageDataset.Create(30, seed: 11), dir.Path, shardSize: 10, ImageFileFormat.Png);
        string first;
        using (var s = TarShardSource.Open(dir.Path)) { Assert.Equal(3, s.RebuiltIndexes); first = s.Fingerprint; }
        Assert.All(shards, shard => Assert.True(File.Exists(shard + TarShardIndex.CacheSuffix)));
        using (var s = TarShardSource.Open(dir.Path)) { Assert.Equal(0, s.RebuiltIndexes); Assert.Equal(first, s.Fingerprint); }

        // Replace shard 1 with other images: its index (only) is rebuilt and the fingerprint changes.
        TarShardWriter.Write(SyntheticImageDataset.Create(10, seed: 12), Path.Combine(dir.Path, "other"), shardSize: 10, ImageFileFormat.Png);
        File.Copy(Path.Combine(dir.Path, "other", "shard-000000.tar"), shards[1], overwrite: true);
        File.SetLastWriteTimeUtc(shards[1], DateTime.UtcNow.AddMinutes(1));
        using (var s = TarShardSource.Open(dir.Path))
        {
            Assert.Equal(1, s.RebuiltIndexes);
            Assert.NotEqual(first, s.Fingerprint);
        }
    }

    [Fact]
    public void A_missing_shard_is_an_error_at_open_naming_it()
    {
        using var dir = new TempDirectory();
        IReadOnlyList<string> shards = TarShardWriter.Write(SyntheticImageDataset.Create(30, seed: 13), dir.Path, shardSize: 10, ImageFileFormat.Png);
        File.Delete(shards[1]);
        var e = Assert.Throws<DatasetNotFoundException>(() => TarShardSource.Open(Path.Combine(dir.Path, "shard-{000000..000002}.tar")));
        Assert.Contains(shards[1], e.Message);
        Assert.Contains(shards[1], e.Searched);
        Assert.Throws<DatasetNotFoundException>(() => ImageSources.Open(Path.Combine(dir.Path, "nothing-*.tar")));
    }
}
