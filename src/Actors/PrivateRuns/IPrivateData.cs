using Veil.Ledger.Scopes;

namespace Veil.Actors.PrivateRuns;

/// <summary>The private examples a run may sample from, as the ledger identifies them, and the backbones (public data) it builds on.</summary>
public interface IPrivateData
{
    /// <summary>For messages, e.g. "fashion-mnist/train (60000 examples)".</summary>
    string Description { get; }

    /// <summary>Each example's identity under the ledger's key (see ExampleIdentities): decoded content, not files or labels.</summary>
    IReadOnlyList<ulong> Identities(ExampleIdentityKey key);

    /// <summary>
    /// User-level runs: each example's owner's identity (index-aligned with <see cref="Identities"/>). The run's scope then holds the
    /// users beside the examples, so a person's spending composes across runs whichever of their examples each used. Null otherwise.
    /// </summary>
    IReadOnlyList<ulong>? OwnerIdentities(ExampleIdentityKey key) => null;

    /// <summary>Folders of the backbones whose (public) training data must be disjoint from these examples.</summary>
    IReadOnlyList<string> PublicBackbones { get; }
}
