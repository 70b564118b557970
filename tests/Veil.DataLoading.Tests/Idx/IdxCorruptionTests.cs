using System.Buffers.Binary;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Idx;
using Veil.DataLoading.Tests.Support;
using Xunit;

namespace Veil.DataLoading.Tests.Idx;

/// <summary>Every way a file can be damaged ends in a DatasetFormatException that names the file.</summary>
public sealed class IdxCorruptionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static DatasetFormatException AssertNamesFile(string path, Action read, string expectedWords)
    {
        var e = Assert.Throws<DatasetFormatException>(read);
        Assert.Equal(path, e.Path);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expectedWords, e.Message);
        return e;
    }

    private string WriteImages(string name, int count = 4, int rows = 5, int columns = 6)
    {
        string path = _dir.File(name);
        IdxWriter.WriteImages(path, count, rows, columns, new byte[count * rows * columns]);
        return path;
    }

    [Fact]
    public void Wrong_magic_is_refused_naming_the_file()
    {
        string labels = _dir.File("labels.gz");
        IdxWriter.WriteLabels(labels, [1, 2]);
        // A labels file where images are expected: a swapped pair of files.
        AssertNamesFile(labels, () => IdxReader.ReadImages(labels), "0x00000801");
    }

    [Fact]
    public void A_file_that_is_not_IDX_at_all_is_refused_naming_the_file()
    {
        string path = _dir.File("page.html");
        File.WriteAllText(path, "<html>404 not found</html>");
        AssertNamesFile(path, () => IdxReader.ReadLabels(path), "not an IDX file");
    }

    [Fact]
    public void A_data_type_other_than_unsigned_byte_is_refused()
    {
        string path = _dir.File("floats");
        File.WriteAllBytes(path, [0, 0, 0x0D, 1, 0, 0, 0, 0]);
        AssertNamesFile(path, () => IdxReader.ReadLabels(path), "data type 0x0D");
    }

    [Theory]
    [InlineData("images")]         // raw: the length is known before reading
    [InlineData("images.gz")]      // gzip: found when the stream ends early
    public void Truncated_payload_is_refused_naming_the_file(string name)
    {
        string path = _dir.File(name);
        byte[] cut = File.ReadAllBytes(WriteImages("whole", count: 50, rows: 28, columns: 28))[..^100];
        if (name.EndsWith(".gz"))
        {
            // A well-formed gzip of a short file: only the payload check can catch it.
            using var gz = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest);
            gz.Write(cut);
        }
        else
        {
            File.WriteAllBytes(path, cut);
        }
        AssertNamesFile(path, () => IdxReader.ReadImages(path), "truncated payload");
    }

    [Fact]
    public void Payload_longer_than_the_header_says_is_refused()
    {
        string path = WriteImages("images");
        File.AppendAllText(path, "extra");
        AssertNamesFile(path, () => IdxReader.ReadImages(path), "payload too long");
    }

    [Fact]
    public void A_header_cut_inside_the_dimensions_is_refused()
    {
        string path = _dir.File("header");
        File.WriteAllBytes(path, [0, 0, 8, 3, 0, 0, 0, 9, 0, 0]);
        AssertNamesFile(path, () => IdxReader.ReadImages(path), "header ends inside dimension 1");
    }

    [Fact]
    public void Bad_gzip_is_refused_naming_the_file()
    {
        string path = _dir.File("images.gz");
        // A gzip magic followed by garbage: what a download cut off and padded looks like.
        File.WriteAllBytes(path, [0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x03, 0xff, 0xff, 0xff, 0xff, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a]);
        AssertNamesFile(path, () => IdxReader.ReadImages(path), "gzip");
    }

    [Fact]
    public void A_gzip_file_cut_in_the_middle_is_refused_naming_the_file()
    {
        string whole = WriteImages("whole.gz", count: 200, rows: 28, columns: 28);
        string path = _dir.File("cut.gz");
        byte[] bytes = File.ReadAllBytes(whole);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<DatasetFormatException>(() => IdxReader.ReadImages(path));
        Assert.Equal(path, e.Path);
        Assert.StartsWith(path + ": ", e.Message);
    }

    [Fact]
    public void Images_and_labels_with_different_counts_are_refused_naming_the_labels_file()
    {
        string images = WriteImages("images.gz", count: 10);
        string labels = _dir.File("labels.gz");
        IdxWriter.WriteLabels(labels, new byte[9]);
        var e = AssertNamesFile(labels, () => IdxImageDataset.Load("t", images, labels, classes: 10), "9 labels");
        Assert.Contains(images, e.Message);
    }

    [Fact]
    public void A_label_not_below_the_class_count_is_refused_naming_the_labels_file()
    {
        string images = WriteImages("images.gz", count: 3);
        string labels = _dir.File("labels.gz");
        IdxWriter.WriteLabels(labels, [0, 10, 2]);
        AssertNamesFile(labels, () => IdxImageDataset.Load("t", images, labels, classes: 10), "label 10 of example 1");
    }

    [Fact]
    public void A_header_claiming_gigabytes_fails_on_the_short_payload_without_allocating_them()
    {
        string path = _dir.File("huge.gz");
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, IdxFormat.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), 2_000_000);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), 32);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), 32);
        using (var gz = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest))
            gz.Write(header);
        long before = GC.GetAllocatedBytesForCurrentThread();
        AssertNamesFile(path, () => IdxReader.ReadImages(path), "truncated payload");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100L << 20, "should not allocate the 2 GB the header claims");
    }
}
