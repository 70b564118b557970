using Veil.Ledger.Accountants;

namespace Veil.Ledger.Budget;

/// <summary>
/// Examples charged by exactly the same scopes, with the tally of every event charged to those scopes:
/// the ε of each of these examples. <see cref="Examples"/> is null for a legacy dataset, whose examples are unknown.
/// </summary>
internal sealed record BlockCharge(IReadOnlyList<string> Scopes, long? Examples, IPrivacyTally Tally, IReadOnlyList<ScopeCharges> Charges)
{
    // Only the worst block's runs are ever shown, and merging every block's runs would cost more than its ε.
    private IReadOnlyList<RunSpending>? _runs;

    /// <summary>The runs that charged these examples, in the order they first did.</summary>
    public IReadOnlyList<RunSpending> Runs => _runs ??= Charges.SelectMany(c => c.Runs.Values)
        .GroupBy(r => r.RunId, StringComparer.Ordinal)
        .Select(g => new RunSpending(g.Key, g.Sum(r => r.Events), g.Min(r => r.FirstStep), g.Max(r => r.LastStep), g.Min(r => r.FirstSequence)))
        .OrderBy(r => r.FirstSequence).ToList();

    /// <summary>The runs among them that used insecure (user-fixed) randomness.</summary>
    public IReadOnlyList<string> InsecureRuns =>
        Charges.SelectMany(c => c.InsecureRuns).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    public long Records => Charges.Sum(c => c.Records);

    /// <summary>The blocks of a partition, under the charges of <paramref name="ledger"/> (a scope it has not charged holds nothing).</summary>
    public static List<BlockCharge> Of(ScopePartition partition, ChargedLedger ledger, Func<IPrivacyTally> start) =>
        partition.Blocks()
            .Select(b => (Signature: b.Signature.Where(ledger.Scopes.ContainsKey).Order(StringComparer.Ordinal).ToList(), b.Examples))
            .GroupBy(b => string.Join('\n', b.Signature), StringComparer.Ordinal)
            .Select(g => Of(g.First().Signature, g.Sum(b => b.Examples), ledger, start))
            .ToList();

    /// <summary>The examples charged by exactly <paramref name="scopes"/>.</summary>
    public static BlockCharge Of(IReadOnlyList<string> scopes, long? examples, ChargedLedger ledger, Func<IPrivacyTally> start)
    {
        var charges = scopes.Select(s => ledger.Scopes[s]).ToList();
        var tally = charges.Count == 1 ? charges[0].Tally : charges.Aggregate(start(), (t, c) => t.Plus(c.Tally));
        return new BlockCharge(scopes, examples, tally, charges);
    }
}
