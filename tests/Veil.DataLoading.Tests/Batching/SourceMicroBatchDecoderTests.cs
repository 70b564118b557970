using Veil.DataLoading.Augmentation;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;
using Xunit;

namespace Veil.DataLoading.Tests.Batching;

public sealed class SourceMicroBatchDecoderTests
{
    private static readonly ImageDataset Data = SyntheticImageDataset.Create(20, seed: 50, height: 32, width: 32, channels: 3);
    private static readonly MicroBatchSpec Spec = new(new MicroBatchId(5, 1), [2, 7, 11, 19]);

    [Fact]
    public void With_multiplicity_K_each_example_comes_as_K_contiguous_augmentations_and_its_label_K_times()
    {
        var settings = new AugmentationSettings(padding: 4, horizontalFlip: true);
        var source = new InMemoryImageSource(Data);
        var decoder = new SourceMicroBatchDecoder(source, settings, multiplicity: 3, seed: 9);
        MicroBatchData batch = decoder.Decode(Spec);

        Assert.Equal(4, batch.Count);                    // Count stays the number of examples
        Assert.Equal(3, batch.Multiplicity);
        Assert.Equal(12, batch.Rows);
        Assert.Equal(12 * 3072, batch.Inputs.Length);
        Assert.Equal(Spec.Indices.SelectMany(i => Enumerable.Repeat((long)Data.Labels[i], 3)), batch.Labels);

        var augmenter = new ExampleAugmenter(settings, source.Shape, seed: 9);
        for (int e = 0; e < 4; e++)
        for (int k = 0; k < 3; k++)
        {
            var expected = new float[3072];
            augmenter.Apply(source.Decode(Spec.Indices[e]), Spec.Id.Step, Spec.Indices[e], k, expected, "x");
            Assert.Equal(expected, batch.Inputs.AsSpan((e * 3 + k) * 3072, 3072).ToArray());
        }
    }

    [Fact]
    public void Multiplicity_one_without_augmentation_matches_the_in_memory_decoder()
    {
        var old = new MicroBatchDecoder(Data, PixelNormalization.FashionMnist).Decode(Spec);
        var decoder = new SourceMicroBatchDecoder(new InMemoryImageSource(Data),
            AugmentationSettings.None(new ChannelNormalization([0.2860f], [0.3530f])));
        MicroBatchData batch = decoder.Decode(Spec);
        Assert.Equal(old.Inputs, batch.Inputs);
        Assert.Equal(old.Labels, batch.Labels);
        Assert.Equal(1, batch.Multiplicity);
    }

    [Fact]
    public void Decoding_the_same_micro_batch_twice_gives_the_same_data_whatever_the_micro_batch_cut()
    {
        var settings = new AugmentationSettings(padding: 2, horizontalFlip: true);
        var decoder = new SourceMicroBatchDecoder(new InMemoryImageSource(Data), settings, multiplicity: 2, seed: 4);
        MicroBatchData whole = decoder.Decode(Spec);
        MicroBatchData again = decoder.Decode(Spec);
        Assert.Equal(whole.Inputs, again.Inputs);
        // The same examples in another micro-batch of the same step get the same augmentations.
        MicroBatchData tail = decoder.Decode(new MicroBatchSpec(new MicroBatchId(5, 0), [11, 19]));
        Assert.Equal(whole.Inputs.AsSpan(2 * 2 * 3072).ToArray(), tail.Inputs);
    }

    [Fact]
    public void Pooled_buffers_are_reused_once_returned()
    {
        var pool = new FloatBufferPool();
        var decoder = new SourceMicroBatchDecoder(new InMemoryImageSource(Data), AugmentationSettings.None(), pool: pool);
        MicroBatchData first = decoder.Decode(Spec);
        pool.Return(first.Inputs);
        MicroBatchData second = decoder.Decode(Spec);
        Assert.Same(first.Inputs, second.Inputs);
        Assert.Equal(1, pool.Allocated);
        Assert.Equal(1, pool.Reused);
    }
}
