namespace Veil.DataLoading.Augmentation;

/// <summary>
/// What happens to a decoded image before it becomes a row of a micro-batch, in this order:
/// resize (shorter side to <see cref="ResizeShorterSide"/>, bilinear), crop to
/// <see cref="CropSize"/>² (random or centre), pad by <see cref="Padding"/> zero pixels and crop
/// back at a random offset (the CIFAR "random crop with padding"), horizontal flip with probability
/// ½, per-channel normalisation. Zero/false switches a stage off; all off = normalise only.
///
/// Augmentation is a performance-free, privacy-free choice (it changes what a model sees, not what
/// the accountant analyses), so it lives here, not in the DpPlan. Random choices are a function of
/// (seed, step, example index, augmentation k): a resumed run redraws the same augmentations.
/// </summary>
public sealed record AugmentationSettings
{
    public AugmentationSettings(int resizeShorterSide = 0, int cropSize = 0, CropMode cropMode = CropMode.Random, int padding = 0,
                                bool horizontalFlip = false, ChannelNormalization? normalization = null)
    {
        if (resizeShorterSide < 0)
            throw new ArgumentOutOfRangeException(
                nameof(resizeShorterSide), resizeShorterSide, "resize must be ≥ 0 pixels (0 = off; veil.data.augment.resize)");
        if (cropSize < 0) throw new ArgumentOutOfRangeException(nameof(cropSize), cropSize, "crop must be ≥ 0 pixels (0 = off; veil.data.augment.crop)");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "padding must be ≥ 0 pixels (0 = off; veil.data.augment.padding)");
        ResizeShorterSide = resizeShorterSide;
        CropSize = cropSize;
        CropMode = cropMode;
        Padding = padding;
        HorizontalFlip = horizontalFlip;
        Normalization = normalization ?? ChannelNormalization.UnitInterval;
    }

    /// <summary>No augmentation: normalise only (with <paramref name="normalization"/>, default x/255).</summary>
    public static AugmentationSettings None(ChannelNormalization? normalization = null) => new(normalization: normalization);

    public int ResizeShorterSide { get; }

    public int CropSize { get; }

    public CropMode CropMode { get; }

    public int Padding { get; }

    public bool HorizontalFlip { get; }

    public ChannelNormalization Normalization { get; }

    /// <summary>True when some stage draws random numbers (so K augmentations of one example differ).</summary>
    public bool IsRandom => (CropSize > 0 && CropMode == CropMode.Random) || Padding > 0 || HorizontalFlip;
}
