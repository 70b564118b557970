using Veil.Compute.LastLayer;
using Veil.Compute.Noise;
using Xunit;

namespace Veil.Compute.Tests.LastLayer;

public class FlipViewsTests
{
    private static readonly NoiseSeed Seed = NoiseSeed.FromInt64(42);
    private static readonly FeatureMap Map = new(1.0, 0.3);

    private static LastLayerOptions Sgd(bool flipViews) =>
        new(LastLayerMethod.Sgd, Map, 1.0, epochs: 4, expectedBatchSize: 30, learningRate: 0.5, gradientClip: 0.2, momentum: 0.5, averageViews: flipViews);

    [Fact]
    public void Flip_views_make_the_same_releases_as_plain_DP_SGD()
    {
        var set = LastLayerData.Random(11, 90, 5, 3, learnable: true);
        var data = Map.Apply(set.WithOtherViews(LastLayerData.Random(12, 90, 5, 3).Values));
        var plain = new RecordingGate();
        var flipped = new RecordingGate();
        var a = HeadSgd.Run(data, Sgd(false), 1.2, plain, Seed, null);
        var b = HeadSgd.Run(data, Sgd(true), 1.2, flipped, Seed, null);
        Assert.Equal(plain.Commits, flipped.Commits);
        Assert.NotEqual(a.Weights, b.Weights);
    }

    [Fact]
    public void A_mirror_image_identical_to_the_image_trains_exactly_as_plain_DP_SGD()
    {
        var set = LastLayerData.Random(13, 90, 5, 3, learnable: true);
        var data = Map.Apply(set.WithOtherViews(set.Values));
        var plain = HeadSgd.Run(data, Sgd(false), 1.2, new RecordingGate(), Seed, null);
        var flipped = HeadSgd.Run(data, Sgd(true), 1.2, new RecordingGate(), Seed, null);
        for (int m = 0; m < plain.Weights.Length; m++) Assert.Equal(plain.Weights[m], flipped.Weights[m], 1e-10);
    }

    [Fact]
    public void Flip_views_without_mirror_images_are_refused()
    {
        var data = Map.Apply(LastLayerData.Random(14, 20, 4, 3));
        var e = Assert.Throws<InvalidOperationException>(() => HeadSgd.Run(data, Sgd(true), 1.0, new RecordingGate(), Seed, null));
        Assert.Contains("mirror", e.Message);
    }

    [Fact]
    public void Test_time_flip_scores_each_example_by_the_mean_of_its_two_views_scores()
    {
        // One feature and no bias; the head scores class 0 by +x and class 1 by −x. The image alone says class 1 (x = −0.2), its
        // mirror image says class 0 more strongly (x = 0.6): the mean (0.2) says class 0, the label.
        var features = new FeatureSet([-0.2f], 1, 1, [0], 2, "one").WithOtherViews([0.6f]);
        var data = new FeatureMap(1.0, 0).Apply(features);
        var head = new LinearHead([1.0, -1.0], 1, 2);
        Assert.Equal(0.0, head.Accuracy(data));
        Assert.Equal(1.0, head.Accuracy(data, averageViews: true));
    }
}
