using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;
using Veil.DataLoading.Tests.Support;
using Xunit;

namespace Veil.DataLoading.Tests.Sources;

public sealed class ImageFolderSourceTests
{
    [Theory]
    [InlineData(1, 28)]
    [InlineData(3, 32)]
    public void A_png_folder_reads_back_exactly_the_labels_and_pixels_the_exporter_wrote(int channels, int side)
    {
        using var dir = new TempDirectory();
        ImageDataset data = SyntheticImageDataset.Create(40, seed: 3, classes: 10, height: side, width: side, channels: channels);
        ImageFolderWriter.Write(data, dir.Path, ImageFileFormat.Png);

        using var source = ImageFolderSource.Open(dir.Path);
        Assert.Equal(10, source.ClassNames.Count);
        // The folder's order is class-major; compare with the dataset re-ordered the same way (stable by label).
        SourceAssert.ReadsBack(ClassMajor(data), source);
    }

    [Fact]
    public void A_jpeg_folder_reads_back_the_labels_exactly_and_the_pixels_within_jpeg_loss()
    {
        using var dir = new TempDirectory();
        ImageDataset data = SyntheticImageDataset.Create(30, seed: 4);
        ImageFolderWriter.Write(data, dir.Path, ImageFileFormat.Jpeg, jpegQuality: 95);

        using var source = ImageFolderSource.Open(dir.Path);
        SourceAssert.ReadsBack(ClassMajor(data), source, meanAbsTolerance: 6);
    }

    [Fact]
    public void A_missing_folder_is_an_error_at_open_naming_it()
    {
        string missing = Path.Combine(Path.GetTempPath(), "veil-no-such-folder-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<DatasetNotFoundException>(() => ImageSources.Open(missing));
        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public void The_manifest_fingerprint_is_computed_once_cached_and_recomputed_only_for_changed_files()
    {
        using var dir = new TempDirectory();
        ImageDataset data = SyntheticImageDataset.Create(20, seed: 5);
        ImageFolderWriter.Write(data, dir.Path, ImageFileFormat.Png);

        string first, second;
        using (var s = ImageFolderSource.Open(dir.Path)) { Assert.Equal(20, s.HashedFiles); first = s.Fingerprint; }
        Assert.True(File.Exists(Path.Combine(dir.Path, ImageFolderSource.ManifestFileName)));
        using (var s = ImageFolderSource.Open(dir.Path)) { Assert.Equal(0, s.HashedFiles); second = s.Fingerprint; }
        Assert.Equal(first, second);

        // Change one image's content (size and time change with it): only it is re-hashed, and the key changes.
        string victim = Directory.GetFiles(dir.Path, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        var other = SyntheticImageDataset.Create(1, seed: 99);
        File.WriteAllBytes(victim, SkiaImageCodec.Encode(new ImageShape(1, 28, 28), other.Pixels, ImageFileFormat.Png));
        File.SetLastWriteTimeUtc(victim, DateTime.UtcNow.AddMinutes(1));
        using (var s = ImageFolderSource.Open(dir.Path))
        {
            Assert.Equal(1, s.HashedFiles);
            Assert.NotEqual(first, s.Fingerprint);
        }
    }

    [Fact]
    public void Renaming_files_does_not_change_the_fingerprint_but_moving_one_to_another_class_does()
    {
        using var dir = new TempDirectory();
        ImageFolderWriter.Write(SyntheticImageDataset.Create(20, seed: 6), dir.Path, ImageFileFormat.Png);
        string before;
        using (var s = ImageFolderSource.Open(dir.Path)) before = s.Fingerprint;

        string[] classes = Directory.GetDirectories(dir.Path).Where(d => Directory.GetFiles(d).Length > 0).Order(StringComparer.Ordinal).ToArray();
        string file = Directory.GetFiles(classes[0]).First();
        File.Move(file, Path.Combine(classes[0], "renamed-" + Path.GetFileName(file)));
        using (var s = ImageFolderSource.Open(dir.Path)) Assert.Equal(before, s.Fingerprint);

        string moved = Directory.GetFiles(classes[0]).First();
        File.Move(moved, Path.Combine(classes[1], Path.GetFileName(moved)));
        using (var s = ImageFolderSource.Open(dir.Path)) Assert.NotEqual(before, s.Fingerprint);
    }

    [Fact]
    public void A_folder_and_tar_shards_of_the_same_images_share_one_fingerprint()
    {
        using var dir = new TempDirectory();
        ImageDataset data = SyntheticImageDataset.Create(25, seed: 7);
        ImageFolderWriter.Write(data, Path.Combine(dir.Path, "folder"), ImageFileFormat.Png);
        TarShardWriter.Write(data, Path.Combine(dir.Path, "shards"), shardSize: 10, ImageFileFormat.Png);
        using var folder = ImageFolderSource.Open(Path.Combine(dir.Path, "folder"));
        using var shards = TarShardSource.Open(Path.Combine(dir.Path, "shards"), classes: 10);
        Assert.Equal(folder.Fingerprint, shards.Fingerprint);
    }

    internal static ImageDataset ClassMajor(ImageDataset data)
    {
        int[] order = Enumerable.Range(0, data.Count).OrderBy(i => data.Labels[i]).ThenBy(i => i).ToArray();
        int size = data.ExampleSize;
        var pixels = new byte[data.Pixels.Length];
        for (int j = 0; j < order.Length; j++) data.Pixels.AsSpan(order[j] * size, size).CopyTo(pixels.AsSpan(j * size));
        return new ImageDataset(data.Name, data.Source, data.Channels, data.Height, data.Width, pixels, order.Select(i => data.Labels[i]).ToArray(), data.Classes);
    }
}
