namespace Veil.Actors.Transfer;

/// <summary>What `pretrain` reports: accuracy on the PUBLIC task's test split, and where the backbone is.</summary>
public sealed record PretrainResult(
    string RunId, string RunDirectory, string BackboneDirectory, string Model, double TestAccuracy, double TestLoss,
    int PublicExamples, int PublicClasses, string PublicDataFingerprint, string BackboneFingerprint, long FeatureDimension,
    int Epochs, double WallSeconds);
