using Veil.DataLoading.Batching;
using Veil.DataLoading.Datasets;
using Xunit;

namespace Veil.DataLoading.Tests.Batching;

public sealed class MicroBatchDecoderTests
{
    [Fact]
    public void Decoding_gathers_the_indexed_examples_normalised_and_their_labels()
    {
        // Three 1×2×2 images with known pixels.
        byte[] pixels = [0, 255, 51, 102, /* 1 */ 10, 20, 30, 40, /* 2 */ 255, 255, 0, 0];
        var data = new ImageDataset("tiny", "test", 1, 2, 2, pixels, [4, 7, 9], 10);
        var normalization = new PixelNormalization(0.5f, 0.25f);

        MicroBatchData batch = new MicroBatchDecoder(data, normalization).Decode(new MicroBatchSpec(new MicroBatchId(3, 1), [0, 2]));

        Assert.Equal((3L, 1, 2), (batch.Step, batch.Index, batch.Count));
        Assert.Equal([4L, 9L], batch.Labels);
        float[] expected = new byte[] { 0, 255, 51, 102, 255, 255, 0, 0 }.Select(p => (p / 255f - 0.5f) / 0.25f).ToArray();
        Assert.Equal(expected, batch.Inputs);
        Assert.Equal(-2f, batch.Inputs[0], 1e-6f);
        Assert.Equal(2f, batch.Inputs[1], 1e-6f);
    }

    [Fact]
    public void An_index_outside_the_dataset_is_reported_with_the_micro_batch_and_dataset()
    {
        ImageDataset data = SyntheticImageDataset.Create(10, seed: 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new MicroBatchDecoder(data, PixelNormalization.FashionMnist).Decode(new MicroBatchSpec(new MicroBatchId(2, 0), [3, 10])));
        Assert.Contains("example 10", e.Message);
        Assert.Contains("(step 2, micro-batch 0)", e.Message);
    }

    [Fact]
    public void A_non_positive_std_is_refused_naming_the_setting()
    {
        ImageDataset data = SyntheticImageDataset.Create(1, seed: 1);
        var e = Assert.Throws<ArgumentException>(() => new MicroBatchDecoder(data, new PixelNormalization(0.5f, 0f)));
        Assert.Contains("std", e.Message);
    }
}
