using System.Collections.Immutable;
using Veil.Ledger.Scopes;

namespace Veil.Ledger.Budget;

/// <summary>
/// A scope's examples grouped by which other scopes hold them (their membership signature): every example
/// of one block was charged by exactly the same records, so it has the same ε, and checking one ε per
/// block checks every example. Scopes never change, so a partition only ever gets finer: refining by a
/// newly charged scope is one merge over the two sorted sets, and nothing is recomputed.
/// </summary>
internal sealed class ScopePartition
{
    private readonly int[] _labels; // per example of the scope (by index), its block
    private readonly ImmutableArray<string>[] _signatures; // per block, the scopes holding its examples
    private readonly ImmutableHashSet<string> _refinedWith;

    private ScopePartition(DataScope scope, int[] labels, ImmutableArray<string>[] signatures, ImmutableHashSet<string> refinedWith)
    {
        Scope = scope;
        _labels = labels;
        _signatures = signatures;
        _refinedWith = refinedWith;
    }

    public DataScope Scope { get; }

    /// <summary>One block holding the whole scope: no other scope seen yet.</summary>
    public static ScopePartition Whole(DataScope scope) =>
        new(
            scope, new int[scope.Count], scope.Count == 0 ? [] : [ImmutableArray<string>.Empty],
            ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal));

    public bool IsRefinedWith(string scopeId) => _refinedWith.Contains(scopeId);

    /// <summary>Each block split into the examples <paramref name="other"/> holds and those it does not.</summary>
    public ScopePartition Refine(DataScope other)
    {
        if (_refinedWith.Contains(other.Id)) return this;
        var mine = Scope.Identities;
        var theirs = other.Identities;
        var labels = new int[_labels.Length];
        var split = new Dictionary<long, int>(); // (old block, inside other) → new block
        var signatures = new List<ImmutableArray<string>>();
        var j = 0;
        for (var i = 0; i < mine.Length; i++)
        {
            while (j < theirs.Length && theirs[j] < mine[i]) j++;
            var inside = j < theirs.Length && theirs[j] == mine[i];
            var key = 2L * _labels[i] + (inside ? 1 : 0);
            if (!split.TryGetValue(key, out var label))
            {
                label = signatures.Count;
                split[key] = label;
                signatures.Add(inside ? _signatures[_labels[i]].Add(other.Id) : _signatures[_labels[i]]);
            }
            labels[i] = label;
        }
        return new ScopePartition(Scope, labels, signatures.ToArray(), _refinedWith.Add(other.Id));
    }

    /// <summary>The blocks: each one's signature and how many examples it holds.</summary>
    public IEnumerable<(ImmutableArray<string> Signature, long Examples)> Blocks()
    {
        var sizes = new long[_signatures.Length];
        foreach (var label in _labels) sizes[label]++;
        for (var b = 0; b < sizes.Length; b++) yield return (_signatures[b], sizes[b]);
    }
}
