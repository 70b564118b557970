namespace Veil.DataLoading.Datasets;

/// <summary>
/// One split of an image-classification dataset, held in memory as raw bytes. Pixels stay bytes
/// (a quarter of the floats' size) and are normalised only when a micro-batch is built.
/// Record equality compares the arrays by reference; compare content with <see cref="DatasetFingerprint"/>.
/// </summary>
public sealed record ImageDataset
{
    /// <param name="name">Human name, e.g. "fashion-mnist/train".</param>
    /// <param name="source">Where it came from (file paths, or the generator and its seed); named in errors.</param>
    /// <param name="channels">Channels per image.</param>
    /// <param name="height">Rows per image.</param>
    /// <param name="width">Columns per image.</param>
    /// <param name="pixels">count × channels × height × width bytes, example-major, then channel, row, column.</param>
    /// <param name="labels">One class index per example, each below <paramref name="classes"/>.</param>
    /// <param name="classes">Number of classes.</param>
    public ImageDataset(string name, string source, int channels, int height, int width, byte[] pixels, byte[] labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"{name}: image shape {channels}×{height}×{width} must be positive");
        if (classes <= 0 || classes > 256)
            throw new ArgumentException($"{name}: {classes} classes; byte labels allow 1 to 256", nameof(classes));
        long exampleSize = (long)channels * height * width;
        if (exampleSize * labels.Length != pixels.Length)
            throw new ArgumentException($"{name}: {pixels.Length} pixel bytes are not {labels.Length} labels × {exampleSize} bytes per image");
        int badLabel = classes < 256 ? labels.AsSpan().IndexOfAnyInRange((byte)classes, byte.MaxValue) : -1;
        if (badLabel >= 0)
            throw new ArgumentException($"{name}: label {labels[badLabel]} of example {badLabel} is not below {classes} classes", nameof(labels));

        Name = name;
        Source = source;
        Channels = channels;
        Height = height;
        Width = width;
        Pixels = pixels;
        Labels = labels;
        Classes = classes;
    }

    public string Name { get; }
    public string Source { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public byte[] Pixels { get; }
    public byte[] Labels { get; }
    public int Classes { get; }

    /// <summary>Number of examples, N in the sampling rate q = L/N.</summary>
    public int Count => Labels.Length;

    /// <summary>Bytes (and floats, once decoded) per example: channels × height × width.</summary>
    public int ExampleSize => Channels * Height * Width;
}
