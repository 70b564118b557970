using Veil.Compute.LastLayer;

namespace Veil.Compute.Tests.LastLayer;

/// <summary>Random feature sets for the last-layer tests: a few classes, features of mixed scales (some rows far beyond C, some inside it).</summary>
public static class LastLayerData
{
    public static FeatureSet Random(int seed, int count, int dimension, int classes, bool learnable = false)
    {
        var random = new Random(seed);
        var values = new float[count * dimension];
        var labels = new int[count];
        var centres = new double[classes, dimension];
        for (int k = 0; k < classes; k++)
            for (int j = 0; j < dimension; j++) centres[k, j] = random.NextDouble() * 2 - 1;
        for (int i = 0; i < count; i++)
        {
            labels[i] = random.Next(classes);
            double scale = Math.Exp(random.NextDouble() * 6 - 3); // norms from ~0.05 to ~20 × √D
            for (int j = 0; j < dimension; j++)
                values[i * dimension + j] = (float)((learnable ? 2 * centres[labels[i], j] : 0) + scale * (random.NextDouble() * 2 - 1));
        }
        return new FeatureSet(values, count, dimension, labels, classes, $"test-{seed}");
    }

    /// <summary>The same set with one more example (add/remove neighbours): the extra row is the last.</summary>
    public static (FeatureSet Smaller, FeatureSet Larger) Neighbours(int seed, int count, int dimension, int classes)
    {
        var larger = Random(seed, count + 1, dimension, classes);
        var smaller = new FeatureSet(larger.Values[..(count * dimension)], count, dimension, larger.Labels[..count], classes, larger.DatasetFingerprint);
        return (smaller, larger);
    }

    /// <summary>The first <paramref name="first"/> examples and the rest, as two sets (train and test of one distribution).</summary>
    public static (FeatureSet Head, FeatureSet Tail) Split(FeatureSet set, int first)
    {
        int d = set.Dimension, rest = set.Count - first;
        return (new FeatureSet(set.Values[..(first * d)], first, d, set.Labels[..first], set.Classes, set.DatasetFingerprint),
                new FeatureSet(set.Values[(first * d)..], rest, d, set.Labels[first..], set.Classes, set.DatasetFingerprint + "/rest"));
    }
}
