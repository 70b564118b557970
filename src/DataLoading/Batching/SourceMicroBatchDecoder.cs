using Veil.DataLoading.Augmentation;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;

namespace Veil.DataLoading.Batching;

/// <summary>
/// Decodes micro-batches from any <see cref="IImageSource"/> (IDX/CIFAR arrays, image folders, tar
/// shards): reads each sampled example, applies <see cref="ExampleAugmenter"/> K =
/// <see cref="Multiplicity"/> times (augmentation k of example i of step s is a function of
/// (seed, s, i, k), so a resumed run redraws it), and lays the rows out example-major (see
/// <see cref="MicroBatchData"/>). Safe for any number of decode tasks at once.
///
/// Damaged examples follow the <see cref="CorruptExamplePolicy"/>: Fail rethrows the source's
/// <see cref="DatasetFormatException"/> (the prefetcher then stops, naming the micro-batch and the
/// file); Skip drops the example from its micro-batch and counts it in <see cref="SkippedExamples"/>.
/// </summary>
public sealed class SourceMicroBatchDecoder : IMicroBatchDecoder
{
    private readonly IImageSource _source;
    private readonly ExampleAugmenter _augmenter;
    private readonly FloatBufferPool? _pool;
    private long _skipped;
    private long _examples;
    private string? _lastSkip;

    /// <param name="multiplicity">K ≥ 1 augmentations per example.</param>
    /// <param name="seed">Augmentation seed.</param>
    /// <param name="pool">Where input buffers come from; null allocates each.</param>
    public SourceMicroBatchDecoder(IImageSource source, AugmentationSettings augmentation, int multiplicity = 1, ulong seed = 0,
                                   CorruptExamplePolicy onCorrupt = CorruptExamplePolicy.Fail, FloatBufferPool? pool = null)
    {
        if (multiplicity < 1)
            throw new ArgumentOutOfRangeException(nameof(multiplicity), multiplicity, "augmentation multiplicity must be ≥ 1 (veil.data.multiplicity)");
        _source = source;
        _augmenter = new ExampleAugmenter(augmentation, source.Shape, seed);
        Multiplicity = multiplicity;
        OnCorrupt = onCorrupt;
        _pool = pool;
    }

    public string Source => _source.Description;

    public int Multiplicity { get; }

    public CorruptExamplePolicy OnCorrupt { get; }

    /// <summary>Shape of each row of <see cref="MicroBatchData.Inputs"/>.</summary>
    public ImageShape OutputShape => _augmenter.OutputShape;

    /// <summary>Examples dropped by the Skip policy so far (a metric, and a line of the run report).</summary>
    public long SkippedExamples => Interlocked.Read(ref _skipped);

    /// <summary>Examples decoded successfully so far.</summary>
    public long DecodedExamples => Interlocked.Read(ref _examples);

    /// <summary>The most recent skipped example's error, for the report; null if none.</summary>
    public string? LastSkipReason => Volatile.Read(ref _lastSkip);

    public MicroBatchData Decode(MicroBatchSpec spec)
    {
        int size = OutputShape.Size, k = Multiplicity;
        float[] inputs = _pool?.Rent(spec.Count * k * size) ?? new float[(long)spec.Count * k * size];
        var labels = new long[spec.Count * k];
        int[]? owners = spec.Owners is null ? null : new int[spec.Count];
        int kept = 0;
        try
        {
            for (int position = 0; position < spec.Count; position++)
            {
                int index = spec.Indices[position];
                if ((uint)index >= (uint)_source.Count)
                    throw new ArgumentOutOfRangeException(nameof(spec),
                        $"example {index} of micro-batch {spec.Id} is outside {_source.Name}'s " +
                        $"{_source.Count} examples; the sampler was built for another dataset size");
                DecodedImage image;
                try
                {
                    image = _source.Decode(index);
                    for (int a = 0; a < k; a++)
                        _augmenter.Apply(image, spec.Id.Step, index, a, inputs.AsSpan((kept * k + a) * size, size), $"{_source.Description} example {index}");
                }
                catch (DatasetFormatException e) when (OnCorrupt == CorruptExamplePolicy.Skip)
                {
                    Interlocked.Increment(ref _skipped);
                    Volatile.Write(ref _lastSkip, e.Message);
                    continue;
                }
                labels.AsSpan(kept * k, k).Fill(image.Label);
                if (owners is not null) owners[kept] = spec.Owners![position];
                kept++;
            }
        }
        catch
        {
            _pool?.Return(inputs);
            throw;
        }
        Interlocked.Add(ref _examples, kept);
        if (kept == spec.Count) return new MicroBatchData(spec.Id.Step, spec.Id.Index, kept, inputs, labels, k, owners);

        // Some were skipped: hand out exact-length arrays (consumers may rely on Inputs.Length).
        float[] shorter = _pool?.Rent(kept * k * size) ?? new float[kept * k * size];
        inputs.AsSpan(0, shorter.Length).CopyTo(shorter);
        _pool?.Return(inputs);
        return new MicroBatchData(spec.Id.Step, spec.Id.Index, kept, shorter, labels[..(kept * k)], k, owners?[..kept]);
    }
}
