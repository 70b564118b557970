using Veil.DataLoading.Datasets;
using Xunit;

namespace Veil.DataLoading.Tests.Datasets;

public sealed class SyntheticImageDatasetTests
{
    [Fact]
    public void The_same_seed_gives_the_same_bytes()
    {
        Assert.Equal(DatasetFingerprint.Of(SyntheticImageDataset.Create(300, seed: 12)),
                     DatasetFingerprint.Of(SyntheticImageDataset.Create(300, seed: 12)));
        Assert.NotEqual(DatasetFingerprint.Of(SyntheticImageDataset.Create(300, seed: 12)),
                        DatasetFingerprint.Of(SyntheticImageDataset.Create(300, seed: 13)));
    }

    [Fact]
    public void Classes_are_learnable_a_nearest_class_mean_classifier_beats_chance_by_far()
    {
        DatasetSplits splits = SyntheticImageDataset.CreateSplits(2000, 500, seed: 21);
        int size = splits.Train.ExampleSize;
        var means = new double[10, size];
        var counts = new int[10];
        for (int i = 0; i < splits.Train.Count; i++)
        {
            int label = splits.Train.Labels[i];
            counts[label]++;
            for (int p = 0; p < size; p++) means[label, p] += splits.Train.Pixels[i * size + p];
        }

        int correct = 0;
        for (int i = 0; i < splits.Test.Count; i++)
        {
            int best = -1;
            double bestDistance = double.MaxValue;
            for (int k = 0; k < 10; k++)
            {
                double distance = 0;
                for (int p = 0; p < size; p++)
                {
                    double d = splits.Test.Pixels[i * size + p] - means[k, p] / counts[k];
                    distance += d * d;
                }
                if (distance < bestDistance) (best, bestDistance) = (k, distance);
            }
            if (best == splits.Test.Labels[i]) correct++;
        }

        Assert.All(counts, c => Assert.True(c > 100, "every class must appear"));
        Assert.True(correct > 0.8 * splits.Test.Count, $"nearest class mean got {correct}/{splits.Test.Count}");
    }
}
