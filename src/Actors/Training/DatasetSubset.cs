using Veil.DataLoading.Datasets;

namespace Veil.Actors.Training;

/// <summary>The first n examples of a dataset: a smaller dataset with its own fingerprint (and so its own budget).</summary>
public static class DatasetSubset
{
    public static ImageDataset First(ImageDataset source, int count)
    {
        if (count >= source.Count) return source;
        var size = source.ExampleSize;
        return new ImageDataset($"{source.Name}[:{count}]", source.Source, source.Channels, source.Height, source.Width,
            source.Pixels[..(count * size)], source.Labels[..count], source.Classes);
    }
}
