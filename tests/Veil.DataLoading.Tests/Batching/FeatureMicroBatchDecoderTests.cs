using Veil.DataLoading.Batching;
using Xunit;

namespace Veil.DataLoading.Tests.Batching;

public sealed class FeatureMicroBatchDecoderTests
{
    // Four examples of three values each: example i is (10i, 10i + 1, 10i + 2), label 9 − i.
    private static FeatureMicroBatchDecoder Decoder() =>
        new("features", Enumerable.Range(0, 4).SelectMany(i => new float[] { 10 * i, 10 * i + 1, 10 * i + 2 }).ToArray(), 3, [9, 8, 7, 6]);

    [Fact]
    public void A_micro_batch_holds_the_sampled_examples_rows_and_labels_in_the_order_sampled()
    {
        var batch = Decoder().Decode(new MicroBatchSpec(new MicroBatchId(5, 2), [3, 0, 3]));
        Assert.Equal(new float[] { 30, 31, 32, 0, 1, 2, 30, 31, 32 }, batch.Inputs);
        Assert.Equal(new long[] { 6, 9, 6 }, batch.Labels);
        Assert.Equal((5L, 2, 3), (batch.Step, batch.Index, batch.Count));
    }

    [Fact]
    public void An_index_outside_the_examples_is_refused_naming_the_micro_batch() =>
        Assert.Contains("outside", Assert.Throws<ArgumentOutOfRangeException>(() => Decoder().Decode(new MicroBatchSpec(new MicroBatchId(1, 0), [4]))).Message);

    [Fact]
    public void Features_that_are_not_examples_times_dimension_are_refused() =>
        Assert.Throws<ArgumentException>(() => new FeatureMicroBatchDecoder("f", new float[7], 3, [1, 2]));
}
