using Veil.Actors.PrivateRuns;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Identity;
using Veil.Ledger.Scopes;

namespace Veil.Actors.LastLayer;

/// <summary>
/// The training examples of a selection run (veil.last-layer.validation-examples &gt; 0): public examples only (the
/// public subset minus its held-out part), so the run is charged to a ledger of its own and never to the private set's.
/// </summary>
public sealed class PublicTuningData(ImageDataset examples) : IPrivateData
{
    public string Description => $"{examples.Name} ({examples.Count} public examples)";

    public IReadOnlyList<ulong> Identities(ExampleIdentityKey key) => ExampleIdentities.Of(key, examples);

    public IReadOnlyList<string> PublicBackbones => [];

    public int Count => examples.Count;

    /// <summary>The examples' content fingerprint: the release plan's dataset.</summary>
    public string Fingerprint { get; } = DatasetFingerprint.Of(examples);
}
