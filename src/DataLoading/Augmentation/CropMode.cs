namespace Veil.DataLoading.Augmentation;

/// <summary>Where a crop of <see cref="AugmentationSettings.CropSize"/> is taken.</summary>
public enum CropMode
{
    /// <summary>Uniformly random position (training).</summary>
    Random,

    /// <summary>The centre (evaluation, and the ImageNet "resize then centre-crop" recipe).</summary>
    Centre,
}
