using Veil.DataLoading.Datasets;
using Veil.DataLoading.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Veil.DataLoading.Tests.Datasets;

/// <summary>Loads the real files once for the class (about a second) and checks the published facts.</summary>
public sealed class FashionMnistFixture
{
    private readonly Lazy<DatasetSplits> _splits = new(() => FashionMnist.Load());

    public DatasetSplits Splits => _splits.Value;
}

public sealed class FashionMnistTests(FashionMnistFixture fixture, ITestOutputHelper output) : IClassFixture<FashionMnistFixture>
{
    [FashionMnistFact]
    public void Fashion_MNIST_has_60000_training_and_10000_test_images_of_28x28_in_10_classes()
    {
        DatasetSplits splits = fixture.Splits;
        Assert.Equal((60000, 1, 28, 28, 10), (splits.Train.Count, splits.Train.Channels, splits.Train.Height, splits.Train.Width, splits.Train.Classes));
        Assert.Equal((10000, 1, 28, 28, 10), (splits.Test.Count, splits.Test.Channels, splits.Test.Height, splits.Test.Width, splits.Test.Classes));
    }

    [FashionMnistFact]
    public void Fashion_MNIST_classes_are_balanced_6000_and_1000_per_class()
    {
        Assert.All(Histogram(fixture.Splits.Train.Labels), n => Assert.Equal(6000, n));
        Assert.All(Histogram(fixture.Splits.Test.Labels), n => Assert.Equal(1000, n));
    }

    [FashionMnistFact]
    public void The_default_normalisation_matches_the_training_pixels_mean_and_std()
    {
        byte[] pixels = fixture.Splits.Train.Pixels;
        double sum = 0, sumSquares = 0;
        foreach (byte p in pixels) { double x = p / 255.0; sum += x; sumSquares += x * x; }
        double mean = sum / pixels.Length, std = Math.Sqrt(sumSquares / pixels.Length - mean * mean);
        output.WriteLine($"{{\"mean\":{mean:F6},\"std\":{std:F6}}}");

        Assert.Equal(PixelNormalization.FashionMnist.Mean, mean, 0.0005);
        Assert.Equal(PixelNormalization.FashionMnist.Std, std, 0.0005);
    }

    [FashionMnistFact]
    public void The_training_split_fingerprint_is_stable()
    {
        string fingerprint = fixture.Splits.Fingerprint();
        output.WriteLine($"{{\"fingerprint\":\"{fingerprint}\"}}");
        // Recorded from Debian's dataset-fashion-mnist 0.0~git20200523.55506a9-1 (upstream data unchanged
        // since 2017). A different value means damaged files or a changed canonical layout.
        Assert.Equal(ExpectedFingerprint, fingerprint);
    }

    // Cross-checked with an independent Python (gzip + hashlib) implementation of the documented layout.
    private const string ExpectedFingerprint = "32df969b5e9fa8dd9096336de432c12d6750d8b1d6c289e4651f77859db79838";

    private static int[] Histogram(byte[] labels)
    {
        var counts = new int[10];
        foreach (byte label in labels) counts[label]++;
        return counts;
    }
}
