using Veil.DataLoading.Datasets;

namespace Veil.DataLoading.Batching;

/// <summary>
/// Decodes micro-batches from an in-memory <see cref="ImageDataset"/>: gathers the indexed
/// examples and normalises bytes to floats through a 256-entry table. Stateless after
/// construction, so any number of decode tasks may share one instance.
/// </summary>
public sealed class MicroBatchDecoder : IMicroBatchDecoder
{
    private readonly ImageDataset _dataset;
    private readonly float[] _table;

    public MicroBatchDecoder(ImageDataset dataset, PixelNormalization normalization)
    {
        _dataset = dataset;
        _table = normalization.LookupTable();
    }

    public string Source => _dataset.Source;

    public MicroBatchData Decode(MicroBatchSpec spec)
    {
        int size = _dataset.ExampleSize;
        var inputs = new float[(long)spec.Count * size];
        var labels = new long[spec.Count];
        byte[] pixels = _dataset.Pixels;
        for (int b = 0; b < spec.Count; b++)
        {
            int index = spec.Indices[b];
            if ((uint)index >= (uint)_dataset.Count)
                throw new ArgumentOutOfRangeException(nameof(spec),
                    $"example {index} of micro-batch {spec.Id} is outside {_dataset.Name}'s {_dataset.Count} examples; " +
                    "the sampler was built for a different dataset size than this decoder's");
            ReadOnlySpan<byte> source = pixels.AsSpan(index * size, size);
            Span<float> target = inputs.AsSpan(b * size, size);
            for (int p = 0; p < size; p++) target[p] = _table[source[p]];
            labels[b] = _dataset.Labels[index];
        }
        return new MicroBatchData(spec.Id.Step, spec.Id.Index, spec.Count, inputs, labels, Owners: spec.Owners);
    }
}
