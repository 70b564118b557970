using Veil.DataLoading.Datasets;

namespace Veil.DataLoading.PublicPrivate;

/// <summary>
/// Divides a dataset by a <see cref="PublicSplit"/>. Every training example goes to exactly one side, so the
/// private set's data scope holds private examples only, disjoint from the public ones a backbone learns from.
/// </summary>
public static class PublicPrivateSplitter
{
    public static PublicPrivateData Split(ImageDataset train, ImageDataset test, PublicSplit split)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        return split switch
        {
            SubsetSplit s => BySubset(train, test, s),
            ClassSplit c => ByClasses(train, test, c),
            _ => throw new ArgumentException($"unknown public split {split}", nameof(split)),
        };
    }

    private static PublicPrivateData BySubset(ImageDataset train, ImageDataset test, SubsetSplit s)
    {
        if (s.Size < 1 || s.Size >= train.Count)
            throw new ArgumentException(
                $"veil.public.size = {s.Size}: the public subset needs at least 1 example and must leave some of the {train.Count} training examples private");
        // Fisher–Yates on the indices with a seeded stream: the first Size positions are public.
        var order = Enumerable.Range(0, train.Count).ToArray();
        var random = new SplitMix64(s.Seed);
        for (int i = 0; i < s.Size; i++)
        {
            int j = i + random.NextInt(train.Count - i);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var isPublic = new bool[train.Count];
        foreach (var i in order.AsSpan(0, s.Size)) isPublic[i] = true;
        // Both sides keep the original order, so a split is a pure function of (data, size, seed).
        var publicIndices = Enumerable.Range(0, train.Count).Where(i => isPublic[i]).ToArray();
        var privateIndices = Enumerable.Range(0, train.Count).Where(i => !isPublic[i]).ToArray();
        var identity = Enumerable.Range(0, train.Classes).ToArray();
        return new PublicPrivateData(
            Select(train, publicIndices, identity, train.Classes, $"public[{s.Size}, seed {s.Seed}]"), test,
            Select(train, privateIndices, identity, train.Classes, $"private[{train.Count - s.Size}, seed {s.Seed}]"), test);
    }

    private static PublicPrivateData ByClasses(ImageDataset train, ImageDataset test, ClassSplit c)
    {
        var publicClasses = c.PublicClasses.Distinct().OrderBy(k => k).ToArray();
        if (publicClasses.Length != c.PublicClasses.Count)
            throw new ArgumentException($"veil.public.classes = [{string.Join(", ", c.PublicClasses)}] repeats a class; list each class once");
        if (publicClasses.Length == 0 || publicClasses.Any(k => k < 0 || k >= train.Classes))
            throw new ArgumentException($"veil.public.classes = [{string.Join(", ", c.PublicClasses)}] must list classes in 0..{train.Classes - 1}");
        if (publicClasses.Length > train.Classes - 2)
            throw new ArgumentException(
                $"veil.public.classes = [{string.Join(", ", c.PublicClasses)}] leaves fewer than 2 of {train.Classes} classes for the private task");
        var privateClasses = Enumerable.Range(0, train.Classes).Except(publicClasses).ToArray();
        var tag = $"classes [{string.Join(",", publicClasses)}]";
        return new PublicPrivateData(
            OfClasses(train, publicClasses, "public " + tag), OfClasses(test, publicClasses, "public " + tag),
            OfClasses(train, privateClasses, "private, not " + tag), OfClasses(test, privateClasses, "private, not " + tag));
    }

    private static ImageDataset OfClasses(ImageDataset data, int[] classes, string tag)
    {
        var newLabel = Enumerable.Repeat(-1, data.Classes).ToArray();
        for (int k = 0; k < classes.Length; k++) newLabel[classes[k]] = k;
        var indices = Enumerable.Range(0, data.Count).Where(i => newLabel[data.Labels[i]] >= 0).ToArray();
        return Select(data, indices, newLabel, classes.Length, tag);
    }

    private static ImageDataset Select(ImageDataset data, int[] indices, int[] newLabel, int classes, string tag)
    {
        int size = data.ExampleSize;
        var pixels = new byte[(long)indices.Length * size];
        var labels = new byte[indices.Length];
        for (int n = 0; n < indices.Length; n++)
        {
            int i = indices[n];
            Buffer.BlockCopy(data.Pixels, i * size, pixels, n * size, size);
            labels[n] = (byte)newLabel[data.Labels[i]];
        }
        return new ImageDataset($"{data.Name} {tag}", data.Source, data.Channels, data.Height, data.Width, pixels, labels, classes);
    }
}
