using Veil.Actors.Configuration;
using Veil.Compute.Transfer;
using Veil.DataLoading.Augmentation;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;

namespace Veil.Actors.Transfer;

/// <summary>
/// Pre-training inputs drawn afresh each step through DataLoading's <see cref="ExampleAugmenter"/> (flip and
/// padded random crop, then the same normalisation as the unaugmented rows): the bridge between the public
/// images (DataLoading) and <see cref="NonPrivateTrainer"/> (Compute), which never reference each other.
/// Each view is a function of (seed, step, example index): a rerun with the same seed sees the same views.
/// </summary>
public sealed class AugmentedInputs
{
    private readonly ImageDataset _data;
    private readonly ExampleAugmenter _augmenter;
    private readonly ImageShape _shape;

    public AugmentedInputs(ImageDataset data, PixelNormalization normalization, PretrainAugmentation augment, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
        _shape = new ImageShape(data.Channels, data.Height, data.Width);
        var settings = new AugmentationSettings(padding: augment.CropPadding, horizontalFlip: augment.Flip,
            normalization: new ChannelNormalization([normalization.Mean], [normalization.Std]));
        _augmenter = new ExampleAugmenter(settings, _shape, seed);
    }

    /// <summary>Writes the views of <paramref name="examples"/> at <paramref name="step"/>, one row each.</summary>
    public void Write(long step, ReadOnlySpan<int> examples, Span<float> rows)
    {
        int size = _shape.Size;
        if (rows.Length != examples.Length * size)
            throw new ArgumentException($"{examples.Length} examples need {examples.Length * size} floats; the rows hold {rows.Length}");
        for (int k = 0; k < examples.Length; k++)
        {
            int i = examples[k];
            var image = new DecodedImage(_shape, _data.Pixels.AsMemory(i * size, size), _data.Labels[i]);
            _augmenter.Apply(image, step, i, 0, rows.Slice(k * size, size), $"{_data.Name} example {i}");
        }
    }
}
