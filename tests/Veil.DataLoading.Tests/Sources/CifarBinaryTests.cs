using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;
using Veil.DataLoading.Tests.Support;
using Xunit;

namespace Veil.DataLoading.Tests.Sources;

public sealed class CifarBinaryTests
{
    [Fact]
    public void Cifar10_files_read_back_exactly_what_the_writer_wrote_across_batches()
    {
        using var dir = new TempDirectory();
        ImageDataset a = SyntheticImageDataset.Create(12, seed: 20, height: 32, width: 32, channels: 3);
        ImageDataset b = SyntheticImageDataset.Create(7, seed: 21, height: 32, width: 32, channels: 3);
        CifarBinary.Write(a, dir.File("a.bin"), CifarVariant.Cifar10);
        CifarBinary.Write(b, dir.File("b.bin"), CifarVariant.Cifar10);
        Assert.Equal(12 * 3073, new FileInfo(dir.File("a.bin")).Length);

        ImageDataset read = CifarBinary.Read("cifar", [dir.File("a.bin"), dir.File("b.bin")], CifarVariant.Cifar10);
        Assert.Equal(a.Labels.Concat(b.Labels), read.Labels);
        Assert.Equal(a.Pixels.Concat(b.Pixels), read.Pixels);
        SourceAssert.ReadsBack(read, new InMemoryImageSource(read));
    }

    [Fact]
    public void Cifar100_records_carry_coarse_then_fine_labels_and_fine_is_the_default()
    {
        using var dir = new TempDirectory();
        ImageDataset data = SyntheticImageDataset.Create(30, seed: 22, classes: 100, height: 32, width: 32, channels: 3);
        byte[] coarse = data.Labels.Select(l => (byte)(l % 20)).ToArray();
        CifarBinary.Write(data, dir.File("train.bin"), CifarVariant.Cifar100, coarse);

        ImageDataset fine = CifarBinary.Read("c100", [dir.File("train.bin")], CifarVariant.Cifar100);
        ImageDataset coarseRead = CifarBinary.Read("c100", [dir.File("train.bin")], CifarVariant.Cifar100, coarseLabels: true);
        Assert.Equal(data.Labels, fine.Labels);
        Assert.Equal(100, fine.Classes);
        Assert.Equal(coarse, coarseRead.Labels);
        Assert.Equal(20, coarseRead.Classes);
        Assert.Equal(data.Pixels, fine.Pixels);
    }

    [Fact]
    public void A_truncated_cifar_file_is_refused_naming_it()
    {
        using var dir = new TempDirectory();
        CifarBinary.Write(SyntheticImageDataset.Create(3, seed: 23, height: 32, width: 32, channels: 3), dir.File("t.bin"), CifarVariant.Cifar10);
        using (var f = new FileStream(dir.File("t.bin"), FileMode.Open)) f.SetLength(f.Length - 100);
        var e = Assert.Throws<DatasetFormatException>(() => CifarBinary.Read("t", [dir.File("t.bin")], CifarVariant.Cifar10));
        Assert.Equal(dir.File("t.bin"), e.Path);
    }

    [Fact]
    public void Loading_a_folder_without_the_cifar_files_names_where_it_looked()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<DatasetNotFoundException>(() => CifarBinary.Load(dir.Path, CifarVariant.Cifar10));
        Assert.Contains(dir.Path, e.Searched);
        Assert.Contains("data_batch_1.bin", e.Message);
    }
}
