using Veil.DataLoading.Augmentation;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Prefetch;
using Veil.DataLoading.Sources;
using Veil.DataLoading.Tests.Support;
using Xunit;

namespace Veil.DataLoading.Tests.Sources;

/// <summary>veil.data.on-corrupt: fail stops naming the file; skip drops the example from its micro-batch and counts it.</summary>
public sealed class CorruptExampleTests
{
    private static readonly MicroBatchSpec AllTen = new(new MicroBatchId(0, 0), Enumerable.Range(0, 10).ToArray());

    [Fact]
    public void A_truncated_jpeg_stops_decoding_naming_the_file_under_fail()
    {
        using var dir = new TempDirectory();
        (ImageFolderSource source, string victim) = FolderWithTruncatedJpeg(dir);
        using (source)
        {
            var decoder = new SourceMicroBatchDecoder(source, AugmentationSettings.None(), onCorrupt: CorruptExamplePolicy.Fail);
            var e = Assert.Throws<DatasetFormatException>(() => decoder.Decode(AllTen));
            Assert.Equal(victim, e.Path);
            Assert.Contains("truncated", e.Message);
        }
    }

    [Fact]
    public async Task Under_fail_the_prefetcher_reader_sees_the_file_named()
    {
        using var dir = new TempDirectory();
        (ImageFolderSource source, string victim) = FolderWithTruncatedJpeg(dir);
        using (source)
        {
            var decoder = new SourceMicroBatchDecoder(source, AugmentationSettings.None());
            await using var prefetcher = new MicroBatchPrefetcher(decoder, [new StepPlan(0, [AllTen])], new PrefetchSettings(2, 1));
            var e = await Assert.ThrowsAsync<MicroBatchDecodeException>(async () => { while (await prefetcher.ReadAsync() is not null) { } });
            Assert.Contains(victim, e.Message);
        }
    }

    [Fact]
    public void A_truncated_jpeg_is_dropped_from_its_micro_batch_and_counted_under_skip()
    {
        using var dir = new TempDirectory();
        (ImageFolderSource source, string victim) = FolderWithTruncatedJpeg(dir);
        using (source)
        {
            var decoder = new SourceMicroBatchDecoder(source, AugmentationSettings.None(), onCorrupt: CorruptExamplePolicy.Skip);
            MicroBatchData data = decoder.Decode(AllTen);
            Assert.Equal(9, data.Count);
            Assert.Equal(9 * 784, data.Inputs.Length);
            Assert.Equal(9, data.Labels.Length);
            Assert.Equal(1, decoder.SkippedExamples);
            Assert.Contains(victim, decoder.LastSkipReason);
            int bad = Enumerable.Range(0, 10).Single(i => source.PathOf(i) == victim);
            long[] expected = Enumerable.Range(0, 10).Where(i => i != bad).Select(i => (long)source.LabelOf(i)).ToArray();
            Assert.Equal(expected, data.Labels);
        }
    }

    [Fact]
    public void A_truncated_tar_member_stops_at_open_naming_shard_and_member_under_fail()
    {
        // The index scan meets the cut before any step runs, so under fail the run never starts.
        using var dir = new TempDirectory();
        string shard = ShardWithTruncatedLastMember(dir);
        var e = Assert.Throws<DatasetFormatException>(() => TarShardSource.Open(shard, CorruptExamplePolicy.Fail, classes: 10));
        Assert.Equal(Path.GetFullPath(shard), e.Path);
        Assert.Contains("000009.png", e.Message);
    }

    [Fact]
    public void A_truncated_tar_member_fails_the_micro_batch_naming_it_when_the_source_was_opened_to_skip_but_the_decoder_fails()
    {
        using var dir = new TempDirectory();
        string shard = ShardWithTruncatedLastMember(dir);
        using var source = TarShardSource.Open(shard, CorruptExamplePolicy.Skip, classes: 10);
        Assert.Equal(10, source.Count);                       // the cut example is still part of N
        var decoder = new SourceMicroBatchDecoder(source, AugmentationSettings.None(), onCorrupt: CorruptExamplePolicy.Fail);
        var e = Assert.Throws<DatasetFormatException>(() => decoder.Decode(AllTen));
        Assert.Contains("000009.png", e.Path);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_truncated_tar_member_is_dropped_and_counted_under_skip()
    {
        using var dir = new TempDirectory();
        string shard = ShardWithTruncatedLastMember(dir);
        ImageDataset data = SyntheticImageDataset.Create(10, seed: 31);
        using var source = TarShardSource.Open(shard, CorruptExamplePolicy.Skip, classes: 10);
        var decoder = new SourceMicroBatchDecoder(source, AugmentationSettings.None(), onCorrupt: CorruptExamplePolicy.Skip);
        MicroBatchData batch = decoder.Decode(AllTen);
        Assert.Equal(9, batch.Count);
        Assert.Equal(1, decoder.SkippedExamples);
        Assert.Equal(data.Labels.Take(9).Select(l => (long)l), batch.Labels);
    }

    [Fact]
    public void A_shard_with_a_damaged_header_fails_at_open_under_fail_and_keeps_the_members_before_it_under_skip()
    {
        using var dir = new TempDirectory();
        string shard = TarShardWriter.Write(SyntheticImageDataset.Create(6, seed: 32), dir.Path, shardSize: 6, ImageFileFormat.Png)[0];
        byte[] bytes = File.ReadAllBytes(shard);
        // Find the 4th example's .cls header and overwrite its checksum field with garbage.
        int header = IndexOf(bytes, "000003.cls"u8);
        "zzzzzzzz"u8.CopyTo(bytes.AsSpan(header + 148));
        File.WriteAllBytes(shard, bytes);

        var e = Assert.Throws<DatasetFormatException>(() => TarShardSource.Open(shard, CorruptExamplePolicy.Fail, classes: 10));
        Assert.Equal(Path.GetFullPath(shard), e.Path);
        using var source = TarShardSource.Open(shard, CorruptExamplePolicy.Skip, classes: 10);
        Assert.Equal(3, source.Count);
    }

    private static (ImageFolderSource, string) FolderWithTruncatedJpeg(TempDirectory dir)
    {
        ImageFolderWriter.Write(SyntheticImageDataset.Create(10, seed: 30), dir.Path, ImageFileFormat.Jpeg);
        string victim = Directory.GetFiles(dir.Path, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Skip(3).First();
        byte[] bytes = File.ReadAllBytes(victim);
        File.WriteAllBytes(victim, bytes[..(bytes.Length / 2)]);
        return (ImageFolderSource.Open(dir.Path), victim);
    }

    private static string ShardWithTruncatedLastMember(TempDirectory dir)
    {
        string shard = TarShardWriter.Write(SyntheticImageDataset.Create(10, seed: 31), dir.Path, shardSize: 10, ImageFileFormat.Png)[0];
        byte[] bytes = File.ReadAllBytes(shard);
        int header = IndexOf(bytes, "000009.png"u8);
        File.WriteAllBytes(shard, bytes[..(header + 512 + 100)]);   // the last image keeps 100 bytes
        return shard;
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle)
    {
        int at = haystack.AsSpan().IndexOf(needle);
        Assert.True(at >= 0);
        return at;
    }
}
