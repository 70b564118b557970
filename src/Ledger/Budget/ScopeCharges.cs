using System.Collections.Immutable;
using Veil.Ledger.Accountants;
using Veil.Ledger.Events;
using Veil.Ledger.Scopes;

namespace Veil.Ledger.Budget;

/// <summary>
/// Everything charged to one scope (or one legacy dataset, whose <see cref="Scope"/> is null): the
/// accountant's tally of its events and the runs that charged it. Immutable, so a trial extension can be
/// thrown away.
/// </summary>
internal sealed record ScopeCharges(string Key, DataScope? Scope, IPrivacyTally Tally, ImmutableDictionary<string, RunSpending> Runs,
    ImmutableSortedSet<string> InsecureRuns, long Records)
{
    public static ScopeCharges Empty(string key, DataScope? scope, IPrivacyTally start) =>
        new(key, scope, start, ImmutableDictionary<string, RunSpending>.Empty, ImmutableSortedSet<string>.Empty, 0);

    /// <summary>These charges followed by <paramref name="newer"/> (all of this key, in sequence order).</summary>
    public ScopeCharges With(IReadOnlyList<Charge> newer)
    {
        var runs = Runs.ToBuilder();
        var insecure = InsecureRuns.ToBuilder();
        foreach (var c in newer)
        {
            runs[c.RunId] = runs.TryGetValue(c.RunId, out var r)
                ? r with { Events = r.Events + 1, FirstStep = Math.Min(r.FirstStep, c.Step), LastStep = Math.Max(r.LastStep, c.Step) }
                : new RunSpending(c.RunId, 1, c.Step, c.Step, c.Sequence);
            if (InsecureRandomness.IsIn(c.Event)) insecure.Add(c.RunId);
        }
        return this with
        {
            Tally = Tally.With(newer.Select(c => c.Event)), Runs = runs.ToImmutable(), InsecureRuns = insecure.ToImmutable(), Records = Records + newer.Count,
        };
    }
}
