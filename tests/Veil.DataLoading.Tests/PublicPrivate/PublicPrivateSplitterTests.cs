using System.Security.Cryptography;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.PublicPrivate;
using Xunit;

namespace Veil.DataLoading.Tests.PublicPrivate;

public class PublicPrivateSplitterTests
{
    // Synthetic images are random bytes: 784 of them never collide by chance, so a content hash identifies an example.
    private static readonly DatasetSplits Data = SyntheticImageDataset.CreateSplits(2000, 300, seed: 11);

    private static HashSet<string> Hashes(ImageDataset d) =>
        Enumerable.Range(0, d.Count).Select(i => Convert.ToHexString(SHA256.HashData(d.Pixels.AsSpan(i * d.ExampleSize, d.ExampleSize)))).ToHashSet();

    [Fact]
    public void No_public_example_is_in_the_private_set_with_a_subset_split()
    {
        var split = PublicPrivateSplitter.Split(Data.Train, Data.Test, new SubsetSplit(500, Seed: 3));
        Assert.Equal(500, split.PublicTrain.Count);
        Assert.Equal(1500, split.PrivateTrain.Count);
        var pub = Hashes(split.PublicTrain);
        Assert.Equal(500, pub.Count);
        Assert.Empty(Hashes(split.PrivateTrain).Intersect(pub));
        Assert.Equal(Hashes(Data.Train), Hashes(split.PrivateTrain).Union(pub).ToHashSet());
    }

    [Fact]
    public void No_public_example_is_in_the_private_set_with_a_class_split()
    {
        var split = PublicPrivateSplitter.Split(Data.Train, Data.Test, new ClassSplit([0, 1, 2, 3, 4]));
        Assert.Empty(Hashes(split.PrivateTrain).Intersect(Hashes(split.PublicTrain)));
        Assert.Empty(Hashes(split.PrivateTest).Intersect(Hashes(split.PublicTest)));
        Assert.Equal(Data.Train.Count, split.PublicTrain.Count + split.PrivateTrain.Count);
        Assert.Equal(5, split.PrivateTrain.Classes);
        // Private labels 0..4 are the original classes 5..9, in order: check each example's label against the source.
        var original = Enumerable.Range(0, Data.Train.Count).ToDictionary(
            i => Convert.ToHexString(SHA256.HashData(Data.Train.Pixels.AsSpan(i * 784, 784))), i => Data.Train.Labels[i]);
        for (int i = 0; i < split.PrivateTrain.Count; i++)
            Assert.Equal(original[Convert.ToHexString(SHA256.HashData(split.PrivateTrain.Pixels.AsSpan(i * 784, 784)))], split.PrivateTrain.Labels[i] + 5);
    }

    [Fact]
    public void The_private_fingerprint_covers_private_examples_only()
    {
        var a = PublicPrivateSplitter.Split(Data.Train, Data.Test, new SubsetSplit(500, Seed: 3));
        // Changing a public example leaves the private key unchanged; changing a private one changes it.
        var publicIndex = Enumerable.Range(0, Data.Train.Count).First(i => Hashes(a.PublicTrain).Contains(Convert.ToHexString(SHA256.HashData(Data.Train.Pixels.AsSpan(i * 784, 784)))));
        var privateIndex = Enumerable.Range(0, Data.Train.Count).First(i => i != publicIndex && !Hashes(a.PublicTrain).Contains(Convert.ToHexString(SHA256.HashData(Data.Train.Pixels.AsSpan(i * 784, 784)))));
        string PrivateKeyAfterEditing(int index)
        {
            var pixels = (byte[])Data.Train.Pixels.Clone();
            pixels[index * 784] ^= 0xFF;
            var edited = new ImageDataset("edited", "test", 1, 28, 28, pixels, Data.Train.Labels, 10);
            return DatasetFingerprint.Of(PublicPrivateSplitter.Split(edited, Data.Test, new SubsetSplit(500, Seed: 3)).PrivateTrain);
        }
        var key = DatasetFingerprint.Of(a.PrivateTrain);
        Assert.NotEqual(DatasetFingerprint.Of(Data.Train), key);
        Assert.Equal(key, PrivateKeyAfterEditing(publicIndex));
        Assert.NotEqual(key, PrivateKeyAfterEditing(privateIndex));
    }

    [Fact]
    public void A_subset_split_is_a_function_of_its_seed()
    {
        var a = PublicPrivateSplitter.Split(Data.Train, Data.Test, new SubsetSplit(500, Seed: 3));
        var b = PublicPrivateSplitter.Split(Data.Train, Data.Test, new SubsetSplit(500, Seed: 3));
        var c = PublicPrivateSplitter.Split(Data.Train, Data.Test, new SubsetSplit(500, Seed: 4));
        Assert.Equal(DatasetFingerprint.Of(a.PrivateTrain), DatasetFingerprint.Of(b.PrivateTrain));
        Assert.NotEqual(DatasetFingerprint.Of(a.PrivateTrain), DatasetFingerprint.Of(c.PrivateTrain));
    }

    [Theory]
    [InlineData(new[] { 0, 0 })]
    [InlineData(new[] { 10 })]
    [InlineData(new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8 })]
    public void A_bad_class_list_is_refused_naming_the_key(int[] classes)
    {
        var e = Assert.Throws<ArgumentException>(() => PublicPrivateSplitter.Split(Data.Train, Data.Test, new ClassSplit(classes)));
        Assert.Contains("veil.public.classes", e.Message);
    }
}
