using Veil.Actors.Tests.Training;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;
using Xunit;

namespace Veil.Actors.Tests.Cli;

public sealed class DataCommandsTests
{
    [Theory]
    [InlineData("folder", "png")]
    [InlineData("tar", "png")]
    public void Data_export_writes_files_that_the_sources_read_back_exactly(string format, string imageFormat)
    {
        using var data = new SyntheticFashionMnist(train: 120, test: 30);
        string outDir = Path.Combine(data.Folder, "export-" + format);
        var run = CliRun.Of("data", "export", "--from", "fashion-mnist", "--format", format, "--out", outDir, "--shard-size", "50",
                            "--image-format", imageFormat, "--data-path", data.Folder, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(120, run.Json.GetProperty("examples").GetInt32());

        ImageDataset train = FashionMnist.Load(data.Folder).Train;
        using IImageSource source = ImageSources.Open(outDir);
        Assert.Equal(120, source.Count);
        var byLabelThenIndex = Enumerable.Range(0, 120).OrderBy(i => format == "folder" ? train.Labels[i] : 0).ThenBy(i => i).ToArray();
        for (int j = 0; j < 120; j++)
        {
            int i = byLabelThenIndex[j];
            DecodedImage image = source.Decode(j);
            Assert.Equal(train.Labels[i], image.Label);
            Assert.True(train.Pixels.AsSpan(i * 784, 784).SequenceEqual(image.Pixels.Span), $"example {i} differs");
        }
        if (format == "tar") Assert.Equal(3, run.Json.GetProperty("shards").GetInt32());
    }

    [Fact]
    public void Bench_data_prints_images_per_second_decode_threads_and_megabytes_per_second()
    {
        using var data = new SyntheticFashionMnist(train: 200, test: 20);
        string outDir = Path.Combine(data.Folder, "shards");
        Assert.Equal(0, CliRun.Of("data", "export", "--from", "fashion-mnist", "--format", "tar", "--out", outDir, "--data-path", data.Folder).ExitCode);
        var run = CliRun.Of("bench", "data", "--source", outDir, "--decode-threads", "2", "--images", "400", "--batch", "50", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.True(run.Json.GetProperty("images_per_s").GetDouble() > 0);
        Assert.Equal(2, run.Json.GetProperty("decode_threads").GetInt32());
        Assert.True(run.Json.GetProperty("mb_per_s").GetDouble() > 0);
    }

    [Fact]
    public void Bench_data_on_a_missing_source_is_a_usage_error_naming_it()
    {
        string missing = Path.Combine(Path.GetTempPath(), "veil-missing-" + Guid.NewGuid().ToString("N"));
        var run = CliRun.Of("bench", "data", "--source", missing, "--json");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(missing, run.Stderr);
    }
}
