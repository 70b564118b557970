using Veil.DataLoading.Datasets;
using Veil.DataLoading.Idx;
using Veil.DataLoading.Tests.Support;
using Xunit;

namespace Veil.DataLoading.Tests.Idx;

public sealed class IdxRoundTripTests
{
    [Theory]
    [InlineData(".gz")]
    [InlineData("")]
    public void Written_images_and_labels_read_back_identically(string suffix)
    {
        using var dir = new TempDirectory();
        ImageDataset original = SyntheticImageDataset.Create(count: 37, seed: 5, height: 9, width: 7);
        string images = dir.File("images-idx3-ubyte" + suffix), labels = dir.File("labels-idx1-ubyte" + suffix);

        IdxWriter.WriteDataset(original, images, labels);
        ImageDataset loaded = IdxImageDataset.Load("copy", images, labels, classes: 10);

        Assert.Equal(original.Pixels, loaded.Pixels);
        Assert.Equal(original.Labels, loaded.Labels);
        Assert.Equal((37, 1, 9, 7, 10), (loaded.Count, loaded.Channels, loaded.Height, loaded.Width, loaded.Classes));
    }

    [Fact]
    public void Gzip_is_recognised_by_content_not_by_name()
    {
        using var dir = new TempDirectory();
        byte[] labels = [1, 2, 3];
        IdxWriter.WriteLabels(dir.File("labels.gz"), labels);
        File.Move(dir.File("labels.gz"), dir.File("labels-without-suffix"));

        Assert.Equal(labels, IdxReader.ReadLabels(dir.File("labels-without-suffix")).Data);
    }

    [Fact]
    public void An_empty_split_reads_as_zero_examples()
    {
        using var dir = new TempDirectory();
        IdxWriter.WriteImages(dir.File("i.gz"), 0, 28, 28, []);
        IdxArray images = IdxReader.ReadImages(dir.File("i.gz"));
        Assert.Equal([0, 28, 28], images.Dimensions);
        Assert.Empty(images.Data);
    }
}
