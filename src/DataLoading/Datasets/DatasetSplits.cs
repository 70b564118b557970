namespace Veil.DataLoading.Datasets;

/// <summary>
/// The training split (the one privacy is spent on) and the held-out test split.
/// </summary>
public sealed record DatasetSplits(ImageDataset Train, ImageDataset Test)
{
    /// <summary>The privacy ledger's key: the fingerprint of the training split's content.</summary>
    public string Fingerprint() => DatasetFingerprint.Of(Train);
}
