namespace Veil.Actors.Configuration;

/// <summary>
/// `veil.pretrain.augment.*`: random views of the public training images during pre-training — a
/// horizontal flip with probability ½ and a random translation by up to <see cref="CropPadding"/> pixels
/// (pad with background, crop back). Public data spends no budget, so this is a free accuracy choice.
/// </summary>
public sealed record PretrainAugmentation(bool Flip, int CropPadding)
{
    public static PretrainAugmentation None { get; } = new(false, 0);

    public bool Enabled => Flip || CropPadding > 0;
}
