using Veil.Ledger.Accountants;
using Veil.Ledger.Scopes;
using Veil.Ledger.Store;

namespace Veil.Ledger.Budget;

/// <summary>
/// What a whole ledger has spent, from its records and scopes alone: the blocks (examples charged by
/// exactly the same scopes, each with its ε) and the datasets (scopes connected by shared examples, each
/// with its worst example's ε). Legacy records form a dataset and a block per fingerprint.
/// </summary>
public sealed record LedgerSummary(IReadOnlyList<LedgerBlock> Blocks, IReadOnlyList<DatasetSummary> Datasets, double Delta, string Accountant)
{
    public static LedgerSummary Of(IReadOnlyList<LedgerRecord> records, IEnumerable<DataScope> scopes, IPrivacyAccountant accountant, double delta)
    {
        var stored = scopes.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var ledger = ChargedLedger.Empty.Extend(records.Select(Charge.Of).ToList(), records.Count == 0 ? 0 : records[^1].Sequence,
            c => stored.GetValueOrDefault(c.Key) ?? throw new LedgerException(
                $"record {c.Sequence} charges scope {c.Key}, which is not stored; run `./run.sh privacy ledger verify`"),
            accountant.StartTally);
        var charged = ledger.Scopes.Values.Where(c => c.Scope is not null).OrderBy(c => c.Key, StringComparer.Ordinal).ToList();
        var blocks = new List<BlockCharge>();
        if (charged.Count > 0)
        {
            var all = DataScope.Of(charged.SelectMany(c => c.Scope!.Identities.ToArray()));
            var partition = charged.Aggregate(ScopePartition.Whole(all), (p, c) => p.Refine(c.Scope!));
            blocks.AddRange(BlockCharge.Of(partition, ledger, accountant.StartTally));
        }
        blocks.AddRange(ledger.Scopes.Values.Where(c => c.Scope is null).OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => BlockCharge.Of([c.Key], null, ledger, accountant.StartTally)));
        var shown = blocks.Select(b => new LedgerBlock(b.Scopes, b.Examples, b.Tally.Epsilon(delta).Epsilon, b.Runs, b.Records)).ToList();
        return new LedgerSummary(shown, DatasetsOf(shown, ledger), delta, accountant.Name);
    }

    // Scopes sharing a block share examples: the datasets are the connected components of that relation.
    private static List<DatasetSummary> DatasetsOf(List<LedgerBlock> blocks, ChargedLedger ledger)
    {
        var parent = ledger.Scopes.Keys.ToDictionary(k => k, k => k, StringComparer.Ordinal);
        string Root(string k) => parent[k] == k ? k : parent[k] = Root(parent[k]);
        foreach (var block in blocks)
            for (var i = 1; i < block.Scopes.Count; i++)
                parent[Root(block.Scopes[i])] = Root(block.Scopes[0]);
        return blocks.GroupBy(b => Root(b.Scopes[0]), StringComparer.Ordinal)
            .Select(g =>
            {
                var members = ledger.Scopes.Keys.Where(k => Root(k) == g.Key).Order(StringComparer.Ordinal).ToList();
                var runs = members.SelectMany(k => ledger.Scopes[k].Runs.Values)
                    .GroupBy(r => r.RunId, StringComparer.Ordinal)
                    .Select(r => new RunSpending(r.Key, r.Sum(x => x.Events), r.Min(x => x.FirstStep), r.Max(x => x.LastStep), r.Min(x => x.FirstSequence)))
                    .OrderBy(r => r.FirstSequence).ToList();
                var examples = g.All(b => b.Examples is not null) ? g.Sum(b => b.Examples!.Value) : (long?)null;
                return new DatasetSummary(members, examples, g.Max(b => b.Epsilon), runs, members.Sum(k => ledger.Scopes[k].Records));
            })
            .OrderBy(d => d.Runs.Count == 0 ? long.MaxValue : d.Runs[0].FirstSequence)
            .ToList();
    }
}
