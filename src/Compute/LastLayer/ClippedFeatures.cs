using static TorchSharp.torch;

namespace Veil.Compute.LastLayer;

/// <summary>The design matrix X (Rows × Columns, row-major, every row of norm ≤ ClipNorm) and labels, after the <see cref="FeatureMap"/>.</summary>
public sealed record ClippedFeatures(double[] Values, int Rows, int Columns, int[] Labels, int Classes, double ClipNorm, string DatasetFingerprint)
{
    /// <summary>X as a float64 tensor (caller disposes, or uses a dispose scope).</summary>
    public Tensor Design()
    {
        Runtime.TorchRuntime.EnsureLoaded();
        return tensor(Values, [Rows, Columns], ScalarType.Float64);
    }

    /// <summary>Other views of every example (e.g. its mirror image), through the same map (each row of norm ≤ ClipNorm).</summary>
    public IReadOnlyList<double[]> OtherViews { get; init; } = [];

    /// <summary>X of every view, this one first (caller disposes); throws when the features carry no other view.</summary>
    public Tensor[] ViewDesigns()
    {
        if (OtherViews.Count == 0)
            throw new InvalidOperationException("these features carry no other view of their examples (e.g. mirror images): compute them with the features");
        return [Design(), .. OtherViews.Select(v => tensor(v, [Rows, Columns], ScalarType.Float64))];
    }

    /// <summary>Y, one-hot (norm 1 per row, the C_y = 1 of every target sensitivity).</summary>
    public Tensor OneHot()
    {
        Runtime.TorchRuntime.EnsureLoaded();
        var y = new double[(long)Rows * Classes];
        for (int i = 0; i < Rows; i++) y[(long)i * Classes + Labels[i]] = 1.0;
        return tensor(y, [Rows, Classes], ScalarType.Float64);
    }
}
