using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;
using Veil.DataLoading.Tests.Support;
using Xunit;

namespace Veil.DataLoading.Tests.Sources;

public sealed class ImageSourceSnapshotTests
{
    [Fact]
    public void A_snapshot_holds_every_example_of_the_source_in_index_order()
    {
        using var dir = new TempDirectory();
        ImageFolderWriter.Write(SyntheticImageDataset.Create(30, seed: 4), dir.Path, ImageFileFormat.Png);
        using var source = ImageFolderSource.Open(dir.Path);

        var snapshot = ImageSourceSnapshot.Of(source);

        Assert.Equal((source.Count, 1, 28, 28, source.Classes), (snapshot.Count, snapshot.Channels, snapshot.Height, snapshot.Width, snapshot.Classes));
        for (int i = 0; i < source.Count; i++)
        {
            var image = source.Decode(i);
            Assert.Equal(image.Label, snapshot.Labels[i]);
            Assert.True(image.Pixels.Span.SequenceEqual(snapshot.Pixels.AsSpan(i * 784, 784)), $"example {i}'s pixels");
        }
    }

    [Fact]
    public void An_in_memory_source_is_its_own_snapshot()
    {
        var data = SyntheticImageDataset.Create(5, seed: 1);
        Assert.Same(data, ImageSourceSnapshot.Of(new InMemoryImageSource(data)));
    }
}
