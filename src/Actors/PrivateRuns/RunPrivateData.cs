using Veil.Actors.Training;
using Veil.Ledger.Plan;
using Veil.Ledger.Scopes;

namespace Veil.Actors.PrivateRuns;

/// <summary>
/// A run's training data as the lifecycle sees it: its examples' identities (and, in a user-level run, its users' identities),
/// and the backbones it builds on.
/// </summary>
public sealed class RunPrivateData(RunData data, IReadOnlyList<string> publicBackbones, PrivacyUnit unit = PrivacyUnit.Example) : IPrivateData
{
    public string Description => unit == PrivacyUnit.User && data.Owners is { } o
        ? $"{data.Description} ({data.Count} examples of {o.UserCount} users)"
        : $"{data.Description} ({data.Count} examples)";

    public IReadOnlyList<ulong> Identities(ExampleIdentityKey key) => data.Identities(key);

    public IReadOnlyList<ulong>? OwnerIdentities(ExampleIdentityKey key) => unit == PrivacyUnit.User ? data.OwnerIdentities(key) : null;

    public IReadOnlyList<string> PublicBackbones => publicBackbones;
}
