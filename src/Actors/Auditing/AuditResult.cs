namespace Veil.Actors.Auditing;

/// <summary>
/// What a one-run audit found. <see cref="ClaimedEpsilon"/> comes from the audit's own ledger alone;
/// <see cref="LowerBound"/> is the empirical ε the guesses prove (confidence 1 − β); <see cref="Holds"/>
/// is LowerBound ≤ ClaimedEpsilon (a violation would mean a bug in the privacy machinery, or a false
/// alarm at rate β). Mean losses are diagnostics of the attack's signal, not part of the bound.
/// </summary>
public sealed record AuditResult(
    int Canaries, int Included, int Guesses, int Correct, int GuessedIn, int RightIn, int GuessedOut, int RightOut,
    double Beta, double ClaimedEpsilon, double Delta, string Accountant, double LowerBound, double PValue,
    double MeanLossIncluded, double MeanLossExcluded,
    double TestAccuracy, long Steps, double NoiseMultiplier, double SamplingRate, int TrainingExamples,
    ulong Seed, string AuditDirectory, string RunDirectory, string LedgerPath, double WallSeconds)
{
    public bool Holds => LowerBound <= ClaimedEpsilon;
}
