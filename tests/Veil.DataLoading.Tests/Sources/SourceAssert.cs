using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;
using Xunit;

namespace Veil.DataLoading.Tests.Sources;

internal static class SourceAssert
{
    /// <summary>Every example of <paramref name="source"/> has the dataset's label and pixels (within <paramref name="meanAbsTolerance"/> per example; 0 = exact).</summary>
    public static void ReadsBack(ImageDataset expected, IImageSource source, double meanAbsTolerance = 0)
    {
        Assert.Equal(expected.Count, source.Count);
        Assert.Equal(expected.Classes, source.Classes);
        Assert.Equal(new ImageShape(expected.Channels, expected.Height, expected.Width), source.Shape);
        int size = expected.ExampleSize;
        for (int i = 0; i < expected.Count; i++)
        {
            DecodedImage image = source.Decode(i);
            Assert.Equal(expected.Labels[i], image.Label);
            Assert.Equal(expected.Labels[i], source.LabelOf(i));
            Assert.Equal(source.Shape, image.Shape);
            ReadOnlySpan<byte> want = expected.Pixels.AsSpan(i * size, size), got = image.Pixels.Span;
            if (meanAbsTolerance == 0)
            {
                Assert.True(want.SequenceEqual(got), $"example {i}: pixels differ");
            }
            else
            {
                double error = 0;
                for (int p = 0; p < size; p++) error += Math.Abs(want[p] - got[p]);
                Assert.True(error / size <= meanAbsTolerance, $"example {i}: mean |Δpixel| {error / size:F2} > {meanAbsTolerance}");
            }
        }
    }
}
