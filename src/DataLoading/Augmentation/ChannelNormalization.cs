namespace Veil.DataLoading.Augmentation;

/// <summary>
/// x ↦ (x/255 − Mean[c]) / Std[c] per channel c; one value is used for every channel.
/// E.g. ImageNet: Mean (0.485, 0.456, 0.406), Std (0.229, 0.224, 0.225).
/// </summary>
public sealed record ChannelNormalization(IReadOnlyList<float> Mean, IReadOnlyList<float> Std)
{
    public static ChannelNormalization FashionMnist { get; } = new([0.2860f], [0.3530f]);

    public static ChannelNormalization UnitInterval { get; } = new([0f], [1f]);

    public static ChannelNormalization ImageNet { get; } = new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>One 256-entry look-up table per channel.</summary>
    public float[][] Tables(int channels)
    {
        if (Mean.Count is 0 || Std.Count != Mean.Count)
            throw new ArgumentException(
                $"normalisation needs as many std values as means ({Mean.Count} means, {Std.Count} stds); check veil.data.augment.mean/std");
        if (Mean.Count != 1 && Mean.Count != channels)
            throw new ArgumentException(
                $"normalisation has {Mean.Count} means for {channels}-channel images; give one value or one per channel (veil.data.augment.mean/std)");
        var tables = new float[channels][];
        for (int c = 0; c < channels; c++)
        {
            float mean = Mean[Mean.Count == 1 ? 0 : c], std = Std[Std.Count == 1 ? 0 : c];
            if (!(std > 0) || !float.IsFinite(std) || !float.IsFinite(mean))
                throw new ArgumentException($"normalisation std must be positive and finite and mean finite (channel {c}: mean {mean}, std {std})");
            tables[c] = new float[256];
            for (int v = 0; v < 256; v++) tables[c][v] = (v / 255f - mean) / std;
        }
        return tables;
    }
}
