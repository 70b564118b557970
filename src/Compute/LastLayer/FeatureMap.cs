namespace Veil.Compute.LastLayer;

/// <summary>
/// What every last-layer mechanism sees of an example: its features scaled down to norm ≤ √(C² − b²), then
/// the constant b appended (the bias feature), so each row has norm ≤ C including the bias. Every sensitivity
/// in <see cref="LastLayerSensitivity"/> rests on ‖row‖ ≤ C. b = 0 means no bias column.
/// Test features go through the same map (it is a fixed function of one example, not a release).
/// </summary>
public sealed record FeatureMap
{
    public FeatureMap(double clipNorm, double biasFeature)
    {
        if (!(clipNorm > 0) || !double.IsFinite(clipNorm))
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "feature clip norm C_x must be finite and > 0");
        if (!(biasFeature >= 0) || !(biasFeature < clipNorm))
            throw new ArgumentOutOfRangeException(
                nameof(biasFeature), biasFeature, $"the bias feature b must be in [0, C_x = {clipNorm}): it counts inside the clip norm");
        (ClipNorm, BiasFeature) = (clipNorm, biasFeature);
    }

    public double ClipNorm { get; }
    public double BiasFeature { get; }
    public bool HasBias => BiasFeature > 0;

    public ClippedFeatures Apply(FeatureSet features)
    {
        ArgumentNullException.ThrowIfNull(features);
        int columns = features.Dimension + (HasBias ? 1 : 0);
        return new ClippedFeatures(Rows(features.Values, features.Count, features.Dimension), features.Count, columns, features.Labels, features.Classes,
            ClipNorm, features.DatasetFingerprint)
        {
            OtherViews = features.OtherViews.Select(view => Rows(view, features.Count, features.Dimension)).ToArray(),
        };
    }

    private double[] Rows(float[] values, int count, int d)
    {
        int columns = d + (HasBias ? 1 : 0);
        var rows = new double[(long)count * columns];
        double featureBudget = Math.Sqrt(ClipNorm * ClipNorm - BiasFeature * BiasFeature);
        for (int i = 0; i < count; i++)
        {
            var x = values.AsSpan(i * d, d);
            double squared = 0;
            foreach (var v in x) squared += (double)v * v;
            double norm = Math.Sqrt(squared);
            double scale = norm > featureBudget ? featureBudget / norm : 1.0;
            var row = rows.AsSpan(i * columns, columns);
            for (int j = 0; j < d; j++) row[j] = x[j] * scale;
            if (HasBias) row[d] = BiasFeature;
        }
        return rows;
    }
}
