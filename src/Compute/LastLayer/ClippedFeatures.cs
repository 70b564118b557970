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

    /// <summary>The mirror images' rows, through the same map (each of norm ≤ ClipNorm), or null when none were computed.</summary>
    public double[]? MirroredValues { get; init; }

    /// <summary>The mirror images' X (caller disposes); throws when the features carry no mirror images.</summary>
    public Tensor MirroredDesign()
    {
        if (MirroredValues is null)
            throw new InvalidOperationException("these features carry no mirror images: compute them with the features (flip views need them)");
        Runtime.TorchRuntime.EnsureLoaded();
        return tensor(MirroredValues, [Rows, Columns], ScalarType.Float64);
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
