namespace Veil.DataLoading.Datasets;

/// <summary>
/// x ↦ (x/255 − Mean)/Std, applied to every channel when a micro-batch is built. One mean and std
/// for all channels: the datasets Veil ships are grey-scale; per-channel values can come later.
/// </summary>
public sealed record PixelNormalization(float Mean, float Std)
{
    /// <summary>Fashion-MNIST training-set statistics (mean 0.2860, std 0.3530).</summary>
    public static PixelNormalization FashionMnist { get; } = new(0.2860f, 0.3530f);

    /// <summary>Plain x/255 in [0, 1].</summary>
    public static PixelNormalization UnitInterval { get; } = new(0f, 1f);

    /// <summary>All 256 byte values mapped once, so decoding is a table look-up per pixel.</summary>
    public float[] LookupTable()
    {
        if (!(Std > 0) || !float.IsFinite(Std) || !float.IsFinite(Mean))
            throw new ArgumentException(
                $"normalisation std must be positive and finite and mean finite (mean {Mean}, std {Std}); check veil.data.normalization");
        var table = new float[256];
        for (int v = 0; v < 256; v++) table[v] = (v / 255f - Mean) / Std;
        return table;
    }
}
