using System.Collections.Immutable;
using Veil.Ledger.Accountants;
using Veil.Ledger.Scopes;

namespace Veil.Ledger.Budget;

/// <summary>
/// The charges of every scope of a ledger and how far they reach: every record with a sequence number up
/// to <see cref="Through"/> is folded in. Immutable.
/// </summary>
internal sealed class ChargedLedger(long through, ImmutableDictionary<string, ScopeCharges> scopes)
{
    public static readonly ChargedLedger Empty = new(0, ImmutableDictionary<string, ScopeCharges>.Empty.WithComparers(StringComparer.Ordinal));

    public long Through => through;

    /// <summary>By scope id (or legacy dataset fingerprint): only keys that some record charged.</summary>
    public ImmutableDictionary<string, ScopeCharges> Scopes => scopes;

    /// <summary>
    /// This ledger extended with charges recorded after <see cref="Through"/> (all of them, in order).
    /// <paramref name="scopeOf"/> gives the stored scope of a scope id the ledger has not charged yet.
    /// </summary>
    public ChargedLedger Extend(IReadOnlyList<Charge> newer, long reaching, Func<Charge, DataScope> scopeOf, Func<IPrivacyTally> start)
    {
        if (newer.Count == 0) return reaching == through ? this : new ChargedLedger(reaching, scopes);
        var builder = scopes.ToBuilder();
        foreach (var group in newer.GroupBy(c => c.Key, StringComparer.Ordinal))
        {
            var charges = group.ToList();
            var known = builder.GetValueOrDefault(group.Key)
                ?? ScopeCharges.Empty(group.Key, DataScope.IsScopeKey(group.Key) ? scopeOf(charges[0]) : null, start());
            builder[group.Key] = known.With(charges);
        }
        return new ChargedLedger(reaching, builder.ToImmutable());
    }
}
