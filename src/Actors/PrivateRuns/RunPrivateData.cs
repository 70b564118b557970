using Veil.Actors.Training;
using Veil.Ledger.Scopes;

namespace Veil.Actors.PrivateRuns;

/// <summary>A run's training data as the lifecycle sees it: its examples' identities, and the backbones it builds on.</summary>
public sealed class RunPrivateData(RunData data, IReadOnlyList<string> publicBackbones) : IPrivateData
{
    public string Description => $"{data.Description} ({data.Count} examples)";

    public IReadOnlyList<ulong> Identities(ExampleIdentityKey key) => data.Identities(key);

    public IReadOnlyList<string> PublicBackbones => publicBackbones;
}
