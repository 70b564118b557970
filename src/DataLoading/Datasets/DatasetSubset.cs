
namespace Veil.DataLoading.Datasets;

/// <summary>The first n examples of a dataset (veil.data.train-examples). Its examples are the same
/// records as in the whole set: the ledger charges them with every run that used them.</summary>
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
