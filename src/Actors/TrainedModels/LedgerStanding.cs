namespace Veil.Actors.TrainedModels;

/// <summary>
/// What a verified ledger says of one run: where it is, the run's records (count, first and last sequence number)
/// and ε of the worst example of the run's data scope at δ, over every run that touched it, as of now.
/// </summary>
public sealed record LedgerStanding(
    string Location, long RunRecords, long FirstSequence, long LastSequence, double Epsilon, double Delta, string Accountant,
    long LedgerRecords);
