namespace Veil.DataLoading.Batching;

/// <summary>
/// Micro-batches cut from features computed once for every example (a fixed map of the images, such as the scattering
/// transform): rows are copied, so a micro-batch owns its arrays. The sampler, the micro-batch plan and the examples'
/// indices are those of the images the features come from. Safe for any number of decode tasks at once (it only reads).
/// </summary>
public sealed class FeatureMicroBatchDecoder : IMicroBatchDecoder
{
    private readonly Lazy<float[]> _features;
    private readonly byte[] _labels;
    private readonly int _dimension;

    /// <param name="features">Example-major, <paramref name="dimension"/> values per example, as many examples as labels.</param>
    public FeatureMicroBatchDecoder(string source, float[] features, int dimension, byte[] labels)
        : this(source, new Lazy<float[]>(features), dimension, labels) => Check(features, dimension, labels);

    /// <param name="features">Computed on the first micro-batch: a pipeline that never decodes here (a cluster's coordinator) never computes them.</param>
    public FeatureMicroBatchDecoder(string source, Lazy<float[]> features, int dimension, byte[] labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "at least one value per example");
        (Source, _dimension, _labels) = (source, dimension, labels);
        _features = new Lazy<float[]>(() => Check(features.Value, dimension, labels));
    }

    public string Source { get; }

    public int Count => _labels.Length;

    public MicroBatchData Decode(MicroBatchSpec spec)
    {
        var features = _features.Value;
        var inputs = new float[(long)spec.Count * _dimension];
        var labels = new long[spec.Count];
        for (int position = 0; position < spec.Count; position++)
        {
            int index = spec.Indices[position];
            if ((uint)index >= (uint)_labels.Length)
                throw new ArgumentOutOfRangeException(nameof(spec),
                    $"example {index} of micro-batch {spec.Id} is outside {Source}'s {_labels.Length} examples; " +
                    "the sampler was built for another dataset size");
            Array.Copy(features, (long)index * _dimension, inputs, (long)position * _dimension, _dimension);
            labels[position] = _labels[index];
        }
        var owners = (int[]?)spec.Owners?.Clone();
        return new MicroBatchData(spec.Id.Step, spec.Id.Index, spec.Count, inputs, labels, Owners: owners);
    }

    private static float[] Check(float[] features, int dimension, byte[] labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.LongLength != (long)dimension * labels.Length)
            throw new ArgumentException($"{features.LongLength} feature values are not {labels.Length} examples × {dimension}", nameof(features));
        return features;
    }
}
