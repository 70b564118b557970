using Veil.DataLoading.Datasets;

namespace Veil.DataLoading.Sources;

/// <summary>
/// An <see cref="ImageDataset"/> (IDX, CIFAR, synthetic) as a source: decoding is a view into its
/// pixel array, the fingerprint is <see cref="DatasetFingerprint.Of"/> (computed on first use).
/// </summary>
public sealed class InMemoryImageSource(ImageDataset dataset) : IImageSource
{
    private readonly Lazy<string> _fingerprint = new(() => DatasetFingerprint.Of(dataset));
    private long _bytesRead;

    public ImageDataset Dataset { get; } = dataset;

    public string Name => Dataset.Name;

    public string Description => Dataset.Source;

    public int Count => Dataset.Count;

    public int Classes => Dataset.Classes;

    public ImageShape Shape => new(Dataset.Channels, Dataset.Height, Dataset.Width);

    public string Fingerprint => _fingerprint.Value;

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public int LabelOf(int index) => Dataset.Labels[CheckIndex(index)];

    public DecodedImage Decode(int index)
    {
        int size = Dataset.ExampleSize;
        CheckIndex(index);
        Interlocked.Add(ref _bytesRead, size);
        return new DecodedImage(Shape, Dataset.Pixels.AsMemory(index * size, size), Dataset.Labels[index]);
    }

    private int CheckIndex(int index)
    {
        if ((uint)index >= (uint)Dataset.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{Dataset.Name} has {Dataset.Count} examples");
        return index;
    }

    public void Dispose() { }
}
