using Veil.Compute.LastLayer;
using Veil.Ledger.Events;

namespace Veil.Compute.Tests.LastLayer;

/// <summary>A gate that records what was committed, in order (and can refuse from a given release on).</summary>
public sealed class RecordingGate(int refuseFrom = int.MaxValue) : IReleaseGate
{
    public List<(string Name, DpEvent Event)> Commits { get; } = [];

    public void Commit(string releaseName, DpEvent dpEvent)
    {
        if (Commits.Count >= refuseFrom) throw new InvalidOperationException($"refused {releaseName}");
        Commits.Add((releaseName, dpEvent));
    }
}
