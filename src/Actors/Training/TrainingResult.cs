namespace Veil.Actors.Training;

/// <summary>
/// What a finished run reports. Epsilon is the worst example's total in the run's data scope, from the ledger alone
/// (every run that touched any of its examples); RunEpsilon is this run's own releases composed alone. Insecure:
/// veil.run.insecure-private-seed fixed its keys, so both are ∞. PrivacyUnit: "example" or "user", what both ε protect.
/// TestAccuracy and TestLoss are the last iterate's; EmaTestAccuracy and EmaTestLoss the moving average's (veil.optimizer.ema; null when off).
/// SavedModel says which parameters.f32 holds: "last", or "ema" (then parameters-last.f32 holds the last iterate).
/// </summary>
public sealed record TrainingResult(
    string RunId, string RunDirectory, string LedgerPath, string DatasetFingerprint,
    double TestAccuracy, double TestLoss, double Epsilon, double Delta, string Accountant,
    long Steps, double NoiseMultiplier, double SamplingRate, double ClipNorm, long ExpectedBatchSize,
    double WallSeconds, double ExamplesPerSecond, long ExamplesProcessed, double RssMegabytesAfterWarmUp, double RssMegabytesAtEnd,
    long? ResumedFromStep, long LedgerEventsOfRun, long ParameterVersion,
    double RunEpsilon = double.NaN, string DataScope = "", bool Insecure = false, string PrivacyUnit = "example",
    double? EmaTestAccuracy = null, double? EmaTestLoss = null, string SavedModel = "last");
