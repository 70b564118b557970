namespace Veil.DataLoading.Batching;

/// <summary>
/// Micro-batches cut from features computed once for every example (a fixed map of the images, such as the scattering
/// transform): rows are copied, so a micro-batch owns its arrays. The sampler, the micro-batch plan and the examples'
/// indices are those of the images the features come from. Safe for any number of decode tasks at once (it only reads).
/// </summary>
public sealed class FeatureMicroBatchDecoder : IMicroBatchDecoder
{
    private readonly Lazy<(float[] Features, byte[] Labels)> _rows;
    private readonly int _dimension;

    /// <param name="features">Example-major, <paramref name="dimension"/> values per example, as many examples as labels.</param>
    public FeatureMicroBatchDecoder(string source, float[] features, int dimension, byte[] labels)
        : this(source, dimension, () => (features, labels)) => _ = _rows.Value;

    /// <param name="load">The features and labels, loaded on the first micro-batch: a pipeline that never decodes here (a cluster's
    /// coordinator) never computes them.</param>
    public FeatureMicroBatchDecoder(string source, int dimension, Func<(float[] Features, byte[] Labels)> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "at least one value per example");
        (Source, _dimension) = (source, dimension);
        _rows = new Lazy<(float[], byte[])>(() => Check(load(), dimension));
    }

    public string Source { get; }

    public MicroBatchData Decode(MicroBatchSpec spec)
    {
        var (features, examples) = _rows.Value;
        var inputs = new float[(long)spec.Count * _dimension];
        var labels = new long[spec.Count];
        for (int position = 0; position < spec.Count; position++)
        {
            int index = spec.Indices[position];
            if ((uint)index >= (uint)examples.Length)
                throw new ArgumentOutOfRangeException(nameof(spec),
                    $"example {index} of micro-batch {spec.Id} is outside {Source}'s {examples.Length} examples; " +
                    "the sampler was built for another dataset size");
            Array.Copy(features, (long)index * _dimension, inputs, (long)position * _dimension, _dimension);
            labels[position] = examples[index];
        }
        var owners = (int[]?)spec.Owners?.Clone();
        return new MicroBatchData(spec.Id.Step, spec.Id.Index, spec.Count, inputs, labels, Owners: owners);
    }

    private static (float[], byte[]) Check((float[] Features, byte[] Labels) rows, int dimension)
    {
        ArgumentNullException.ThrowIfNull(rows.Features, "features");
        ArgumentNullException.ThrowIfNull(rows.Labels, "labels");
        if (rows.Features.LongLength != (long)dimension * rows.Labels.Length)
            throw new ArgumentException($"{rows.Features.LongLength} feature values are not {rows.Labels.Length} examples × {dimension}", "features");
        return rows;
    }
}
