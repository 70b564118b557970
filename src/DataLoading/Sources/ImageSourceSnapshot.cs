using Veil.DataLoading.Datasets;

namespace Veil.DataLoading.Sources;

/// <summary>
/// Every example of a source decoded into memory, in index order: for a fixed map computed once per image (the
/// scattering transform), which needs all the pixels at hand. In-memory sources are returned as they are.
/// Every image must have the source's shape; a damaged one stops the snapshot, naming its file.
/// </summary>
public static class ImageSourceSnapshot
{
    public static ImageDataset Of(IImageSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source is InMemoryImageSource memory) return memory.Dataset;
        if (source.Classes > 256) throw new ArgumentException($"{source.Description} has {source.Classes} classes; a snapshot holds at most 256");
        var shape = source.Shape;
        var pixels = new byte[(long)source.Count * shape.Size];
        var labels = new byte[source.Count];
        Parallel.For(0, source.Count, i =>
        {
            var image = source.Decode(i);
            if (image.Shape != shape)
                throw new DatasetFormatException(source.Description, $"example {i} is {image.Shape}, not {shape} like the source's first image");
            image.Pixels.Span.CopyTo(pixels.AsSpan((int)((long)i * shape.Size), shape.Size));
            labels[i] = (byte)image.Label;
        });
        return new ImageDataset(source.Name, source.Description, shape.Channels, shape.Height, shape.Width, pixels, labels, source.Classes);
    }
}
