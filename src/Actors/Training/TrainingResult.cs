namespace Veil.Actors.Training;

/// <summary>What a finished run reports. Epsilon is the dataset's total from the ledger alone (all runs on it).</summary>
public sealed record TrainingResult(
    string RunId, string RunDirectory, string LedgerPath, string DatasetFingerprint,
    double TestAccuracy, double TestLoss, double Epsilon, double Delta, string Accountant,
    long Steps, double NoiseMultiplier, double SamplingRate, double ClipNorm, long ExpectedBatchSize,
    double WallSeconds, double ExamplesPerSecond, long ExamplesProcessed, double RssMegabytesAfterWarmUp, double RssMegabytesAtEnd,
    long? ResumedFromStep, long LedgerEventsOfRun, long ParameterVersion);
