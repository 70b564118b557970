using Veil.DataLoading.Datasets;
using Veil.DataLoading.Idx;
using Veil.DataLoading.Tests.Support;
using Xunit;

namespace Veil.DataLoading.Tests.Datasets;

public sealed class DatasetFingerprintTests
{
    [Fact]
    public void The_same_content_at_two_paths_has_the_same_fingerprint()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        ImageDataset data = SyntheticImageDataset.Create(100, seed: 3);
        IdxWriter.WriteDataset(data, a.File("i.gz"), a.File("l.gz"));
        File.Copy(a.File("i.gz"), b.File("renamed-images.gz"));
        File.Copy(a.File("l.gz"), b.File("renamed-labels.gz"));

        ImageDataset first = IdxImageDataset.Load("first", a.File("i.gz"), a.File("l.gz"), 10);
        ImageDataset second = IdxImageDataset.Load("another name", b.File("renamed-images.gz"), b.File("renamed-labels.gz"), 10);

        Assert.Equal(DatasetFingerprint.Of(first), DatasetFingerprint.Of(second));
        Assert.Equal(DatasetFingerprint.Of(data), DatasetFingerprint.Of(first));
    }

    [Fact]
    public void Flipping_one_pixel_changes_the_fingerprint()
    {
        ImageDataset data = SyntheticImageDataset.Create(100, seed: 3);
        byte[] pixels = (byte[])data.Pixels.Clone();
        pixels[pixels.Length / 2] ^= 1;
        var changed = new ImageDataset(data.Name, data.Source, 1, data.Height, data.Width, pixels, data.Labels, data.Classes);

        Assert.NotEqual(DatasetFingerprint.Of(data), DatasetFingerprint.Of(changed));
    }

    [Fact]
    public void Changing_one_label_changes_the_fingerprint()
    {
        ImageDataset data = SyntheticImageDataset.Create(100, seed: 3);
        byte[] labels = (byte[])data.Labels.Clone();
        labels[0] = (byte)((labels[0] + 1) % 10);
        var changed = new ImageDataset(data.Name, data.Source, 1, data.Height, data.Width, data.Pixels, labels, data.Classes);

        Assert.NotEqual(DatasetFingerprint.Of(data), DatasetFingerprint.Of(changed));
    }

    [Fact]
    public void The_same_bytes_in_another_shape_have_another_fingerprint()
    {
        ImageDataset data = SyntheticImageDataset.Create(10, seed: 3, height: 8, width: 8);
        var reshaped = new ImageDataset(data.Name, data.Source, 1, 4, 16, data.Pixels, data.Labels, data.Classes);

        Assert.NotEqual(DatasetFingerprint.Of(data), DatasetFingerprint.Of(reshaped));
    }

    [Fact]
    public void A_fingerprint_is_64_lower_case_hex_characters()
    {
        string fingerprint = DatasetFingerprint.Of(SyntheticImageDataset.Create(5, seed: 1));
        Assert.Matches("^[0-9a-f]{64}$", fingerprint);
    }
}
