namespace Veil.Actors.LastLayer;

/// <summary>
/// What a finished last-layer run reports. Epsilon is the dataset's total from the ledger alone (all runs on it). A selection
/// run (ValidationExamples &gt; 0) trained on public examples: TestAccuracy is then its accuracy on the held-out public examples.
/// </summary>
public sealed record LastLayerResult(
    string RunId, string RunDirectory, string LedgerPath, string DatasetFingerprint, string Method, string Features,
    double TestAccuracy, double Epsilon, double Delta, string Accountant, double PlannedEpsilon,
    IReadOnlyDictionary<string, double> NoiseMultipliers, double NoiseScale, long Releases,
    int TrainExamples, int TestExamples, int Dimension, double FeatureSeconds, double FitSeconds, double WallSeconds,
    string DataScope = "", bool Insecure = false, int ValidationExamples = 0);
