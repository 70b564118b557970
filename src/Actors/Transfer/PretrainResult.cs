namespace Veil.Actors.Transfer;

/// <summary>
/// What `pretrain` reports: accuracy on the PUBLIC task's test split, and where the backbone is. A selection run
/// (veil.pretrain.validation-examples &gt; 0) reports accuracy on the held-out public examples instead, and no
/// test figure: choosing settings must not look at the test split.
/// </summary>
public sealed record PretrainResult(
    string RunId, string RunDirectory, string BackboneDirectory, string Model, double? TestAccuracy, double? TestLoss,
    int PublicExamples, int PublicClasses, string PublicDataFingerprint, string BackboneFingerprint, long FeatureDimension,
    int Epochs, double WallSeconds, int ValidationExamples = 0, double? ValidationAccuracy = null, double? ValidationLoss = null);
