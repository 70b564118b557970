namespace Veil.Actors.Auditing;

/// <summary>
/// What a one-run audit found. <see cref="ClaimedEpsilon"/> is the audited run's own releases composed (from
/// the ledger); <see cref="DataEpsilon"/> is what the worst example of its data has spent in total on that ledger,
/// the audit included (an audit on private data is charged like any run; on data declared public it has a fresh
/// ledger of its own, <see cref="DataPublic"/>);
/// <see cref="LowerBound"/> is the empirical ε the guesses prove (confidence 1 − β); <see cref="Holds"/>
/// is LowerBound ≤ ClaimedEpsilon (a violation would mean a bug in the privacy machinery, or a false
/// alarm at rate β). Mean losses are diagnostics of the attack's signal, not part of the bound. PrivacyUnit "user": the
/// canaries, guesses and both ε are per user (a canary user's loss is the mean over their examples).
/// </summary>
public sealed record AuditResult(
    int Canaries, int Included, int Guesses, int Correct, int GuessedIn, int RightIn, int GuessedOut, int RightOut,
    double Beta, double ClaimedEpsilon, double Delta, string Accountant, double LowerBound, double PValue,
    double MeanLossIncluded, double MeanLossExcluded,
    double TestAccuracy, long Steps, double NoiseMultiplier, double SamplingRate, int TrainingExamples,
    ulong Seed, string AuditDirectory, string RunDirectory, string LedgerPath, double WallSeconds,
    double DataEpsilon = double.NaN, bool DataPublic = false, string PrivacyUnit = "example")
{
    public bool Holds => LowerBound <= ClaimedEpsilon;
}
