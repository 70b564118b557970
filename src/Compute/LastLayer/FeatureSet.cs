namespace Veil.Compute.LastLayer;

/// <summary>
/// Frozen features of one split: N rows of D floats (row-major), a class label per row, and the fingerprint
/// of the PRIVATE examples they were computed from (the ledger's key: features of the same examples, by any
/// feature map, spend the same dataset's budget). Produced by a feature source (pixels, a backbone...);
/// the last-layer mechanisms only read it. Validated once here so a bad source fails naming what is wrong.
/// </summary>
public sealed record FeatureSet
{
    public FeatureSet(float[] values, int count, int dimension, int[] labels, int classes, string datasetFingerprint)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(labels);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "a feature set needs at least one example");
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "features need at least one dimension");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "classification needs at least two classes");
        if ((long)count * dimension != values.LongLength)
            throw new ArgumentException($"{values.LongLength} feature values are not {count} examples × {dimension} dimensions", nameof(values));
        if (labels.Length != count) throw new ArgumentException($"{labels.Length} labels for {count} examples", nameof(labels));
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 0 || labels[i] >= classes)
                throw new ArgumentException($"label {labels[i]} of example {i} is outside [0, {classes})", nameof(labels));
        int bad = Array.FindIndex(values, v => !float.IsFinite(v));
        if (bad >= 0)
            throw new ArgumentException($"feature {bad % dimension} of example {bad / dimension} is {values[bad]}: features must be finite", nameof(values));
        if (string.IsNullOrWhiteSpace(datasetFingerprint))
            throw new ArgumentException("a dataset fingerprint is required: the privacy ledger is keyed by it", nameof(datasetFingerprint));
        (Values, Count, Dimension, Labels, Classes, DatasetFingerprint) = (values, count, dimension, labels, classes, datasetFingerprint);
    }

    /// <summary>Count × Dimension values, example-major.</summary>
    public float[] Values { get; }
    public int Count { get; }
    public int Dimension { get; }
    public int[] Labels { get; }
    public int Classes { get; }
    /// <summary>Fingerprint of the private examples (not of the feature map): the ledger's dataset key.</summary>
    public string DatasetFingerprint { get; }

    /// <summary>
    /// Other views of every example (each Count × Dimension, same map, same order; e.g. the features of its mirror image), for
    /// augmentation multiplicity and test-time averaging. Views of the same example: charged with it, never as other examples.
    /// </summary>
    public IReadOnlyList<float[]> OtherViews { get; private init; } = [];

    public ReadOnlySpan<float> Row(int i) => Values.AsSpan(i * Dimension, Dimension);

    /// <summary>This set with other views of its examples attached (each validated like <see cref="Values"/>).</summary>
    public FeatureSet WithOtherViews(params float[][] views)
    {
        ArgumentNullException.ThrowIfNull(views);
        foreach (var view in views)
        {
            if (view.LongLength != Values.LongLength)
                throw new ArgumentException($"a view of {view.LongLength} feature values is not {Count} examples × {Dimension} dimensions", nameof(views));
            int bad = Array.FindIndex(view, v => !float.IsFinite(v));
            if (bad >= 0)
                throw new ArgumentException(
                    $"feature {bad % Dimension} of example {bad / Dimension} in another view is {view[bad]}: features must be finite", nameof(views));
        }
        return new FeatureSet(Values, Count, Dimension, Labels, Classes, DatasetFingerprint) { OtherViews = [.. OtherViews, .. views] };
    }
}
