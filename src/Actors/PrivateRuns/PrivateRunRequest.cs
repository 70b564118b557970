using Veil.Actors.Configuration;
using Veil.Actors.Training;
using Veil.Ledger.Events;

namespace Veil.Actors.PrivateRuns;

/// <summary>
/// What a mode tells the lifecycle: the privacy settings (and a fresh-ledger override for the demo or for data
/// declared public), where runs go, the data it may sample from, its whole planned release (checked against the
/// budget before anything starts), the seeds the user fixed, and how to write its plan into the new run folder.
/// </summary>
public sealed record PrivateRunRequest(
    PrivacySettings Privacy,
    string? LedgerOverride,
    string RunsDirectory,
    IPrivateData Data,
    DpEvent? PlannedReleases,
    ulong PublicSeed,
    ulong InsecurePrivateSeed,
    Action<RunFolder, OpenedRun> WriteRunFiles);

/// <summary>What the lifecycle resolved, for the mode's run files (plan.json): never a key. A user-level scope holds ScopeUsers users too.</summary>
public sealed record OpenedRun(string Ledger, string ScopeKey, int ScopeExamples, bool Insecure, string Accountant, int ScopeUsers = 0);
