using Veil.DataLoading.Datasets;
using Veil.DataLoading.Idx;
using Veil.DataLoading.Tests.Support;
using Xunit;

namespace Veil.DataLoading.Tests.Datasets;

public sealed class FashionMnistLocatorTests
{
    private static void WriteFakeFashionMnist(TempDirectory dir, string suffix)
    {
        DatasetSplits splits = SyntheticImageDataset.CreateSplits(20, 10, seed: 1);
        IdxWriter.WriteDataset(splits.Train, dir.File("train-images-idx3-ubyte" + suffix), dir.File("train-labels-idx1-ubyte" + suffix));
        IdxWriter.WriteDataset(splits.Test, dir.File("t10k-images-idx3-ubyte" + suffix), dir.File("t10k-labels-idx1-ubyte" + suffix));
    }

    [Theory]
    [InlineData(".gz")]
    [InlineData("")]
    public void A_configured_path_is_used(string suffix)
    {
        using var dir = new TempDirectory();
        WriteFakeFashionMnist(dir, suffix);

        FashionMnistFiles files = new FashionMnistLocator(["/nonexistent"]).Locate(dir.Path);

        Assert.Equal(dir.File("train-images-idx3-ubyte" + suffix), files.TrainImages);
        DatasetSplits splits = FashionMnist.Load(files);
        Assert.Equal((20, 10), (splits.Train.Count, splits.Test.Count));
    }

    [Fact]
    public void Without_a_configured_path_the_default_directories_are_searched_in_order()
    {
        using var empty = new TempDirectory();
        using var full = new TempDirectory();
        WriteFakeFashionMnist(full, ".gz");

        FashionMnistFiles files = new FashionMnistLocator([empty.Path, full.Path]).Locate(configuredPath: null);

        Assert.Equal(full.Path, files.Directory);
    }

    [Fact]
    public void Missing_data_says_how_to_install_it_and_where_it_looked()
    {
        using var empty = new TempDirectory();
        var e = Assert.Throws<DatasetNotFoundException>(() => new FashionMnistLocator([empty.Path, "/also/not/here"]).Locate());

        Assert.Contains("install it with `apt-get install dataset-fashion-mnist` (or `./run.sh` does it) or set `veil.data.path`", e.Message,
            StringComparison.OrdinalIgnoreCase);
        Assert.Contains(empty.Path, e.Message);
        Assert.Contains("/also/not/here", e.Message);
        Assert.Equal([empty.Path, "/also/not/here"], e.Searched);
    }

    [Fact]
    public void A_configured_path_without_the_files_is_an_error_not_a_fallback()
    {
        using var empty = new TempDirectory();
        using var full = new TempDirectory();
        WriteFakeFashionMnist(full, ".gz");

        var e = Assert.Throws<DatasetNotFoundException>(() => new FashionMnistLocator([full.Path]).Locate(empty.Path));

        Assert.Equal([empty.Path], e.Searched);
    }

    [Fact]
    public void The_default_location_is_where_Debian_installs_the_package()
    {
        Assert.Equal("/usr/share/datasets/fashion-mnist", FashionMnistLocator.DebianDirectory);
    }
}
