using Veil.DataLoading.Idx;

namespace Veil.DataLoading.Datasets;

/// <summary>
/// Builds an <see cref="ImageDataset"/> from an IDX images file and an IDX labels file, checking
/// what neither file can check alone: that they hold the same number of examples and that every
/// label names a class. Those errors name the file to blame.
/// </summary>
public static class IdxImageDataset
{
    public static ImageDataset Load(string name, string imagesPath, string labelsPath, int classes)
    {
        IdxArray images = IdxReader.ReadImages(imagesPath);
        IdxArray labels = IdxReader.ReadLabels(labelsPath);
        if (images.Count != labels.Count)
            throw new DatasetFormatException(labelsPath,
                $"holds {labels.Count} labels but {imagesPath} holds {images.Count} images; the two files come from different splits or one is damaged");

        int bad = classes < 256 ? labels.Data.AsSpan().IndexOfAnyInRange((byte)classes, byte.MaxValue) : -1;
        if (bad >= 0)
            throw new DatasetFormatException(labelsPath,
                $"label {labels.Data[bad]} of example {bad} is not below the {classes} classes of {name}; the file is damaged or belongs to another dataset");

        return new ImageDataset(name, $"{imagesPath} + {labelsPath}", channels: 1,
            height: images.Dimensions[1], width: images.Dimensions[2], images.Data, labels.Data, classes);
    }
}
