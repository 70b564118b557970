using System.Globalization;
using Veil.Ledger.Accountants;
using Veil.Ledger.Events;
using Veil.Ledger.Scopes;
using Veil.Ledger.Store;

namespace Veil.Ledger.Budget;

/// <summary>
/// Spends privacy only within the budget of every example it touches. A record charges its scope (the set
/// of examples its run could touch, <see cref="DataScope"/>); an example's ε is the composition of every
/// event of every record whose scope holds it, whichever run, dataset selection or process recorded it.
/// So training on 59 999 of 60 000 spent examples is charged with what the 60 000 already spent.
/// <para>
/// A new event on scope S is checked block by block (Sage's block composition): S's examples are grouped by
/// which charged scopes hold them, every example of a block has the same ε, and the event is admitted only
/// if the worst block stays within budget. Blocks are found once per scope and only refined when a record
/// names a scope not seen before (scopes never change); each scope's tally is kept by the accountant and
/// folded in from new records only, so a check reads O(new records) and costs one ε per block.
/// </para>
/// <para>
/// The check runs inside the store's exclusive append transaction, so two runs racing for the last of a
/// budget cannot both get it. Its scope must be stored (<see cref="ILedgerStore.PutScope"/>) before the
/// first event names it; an event on a scope that is not stored is refused.
/// </para>
/// <para>
/// Legacy records, written before scopes existed, name their dataset by a fingerprint of the exact subset
/// used, not by a scope id. Each such fingerprint is read as a scope of its own, disjoint from every other:
/// its records compose only with records of the same fingerprint, as they did when they were written.
/// </para>
/// <para>
/// An <see cref="InsecureRandomness"/> event (a debugging run with fixed keys) is recorded without the
/// budget check, since the user asked for it explicitly; its examples' ε is ∞ from then on, so every later
/// run on any of them is refused.
/// </para>
/// </summary>
public sealed class BudgetGuard(ILedgerStore store, IPrivacyAccountant accountant, PrivacyBudget budget)
{
    private readonly object _gate = new();
    private ChargedLedger _known = ChargedLedger.Empty;
    private readonly Dictionary<string, DataScope> _scopes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ScopePartition> _partitions = new(StringComparer.Ordinal);

    public PrivacyBudget Budget => budget;

    public string AccountantName => accountant.Name;

    /// <summary>Appends the event if every example of its scope stays within budget; otherwise writes nothing.</summary>
    public SpendOutcome TrySpend(PendingEvent pending)
    {
        var key = pending.DatasetFingerprint;
        double after = double.NaN;
        ChargedLedger? seen = null, admitted = null;
        var restarted = false;
        try
        {
            var record = store.Append(pending, history =>
            {
                // Runs inside the transaction and possibly more than once: it only computes; what is
                // remembered is decided below, once the outcome is known (scopes and partitions, being
                // immutable facts about stored scopes, may be cached right away).
                var known = Known();
                restarted = history.HeadSequence < known.Through;
                if (restarted) known = ChargedLedger.Empty; // a shorter ledger than we saw (a restored copy): start over, as a full recomputation would
                seen = Extend(known, history.RecordsAfter(known.Through), history.HeadSequence, history.Scope);
                admitted = null;
                if (!TryBlocks(seen, key, history.Scope, out var blocks, out var notStored)) return notStored;
                var (worst, epsilon) = Worst(blocks, pending.Event);
                after = epsilon;
                if (!(InsecureRandomness.IsIn(pending.Event) || epsilon <= budget.Epsilon)) return Refusal(key, worst, blocks.Count, epsilon);
                var sequence = history.HeadSequence + 1;
                admitted = seen.Extend(
                    [new Charge(sequence, key, pending.RunId, pending.Step, pending.Event)], sequence, c => ScopeOf(c.Key, history.Scope)!,
                    accountant.StartTally);
                return null;
            });
            if (admitted is not null && admitted.Through == record.Sequence) Remember(admitted, restarted);
            else if (seen is not null) Remember(seen, restarted);
            if (double.IsNaN(after)) // a retried release that was already recorded: report the current worst example
                after = Epsilon(key).Epsilon;
            return new SpendOutcome.Recorded(record, after);
        }
        catch (LedgerAppendRefusedException refused)
        {
            if (seen is not null) Remember(seen, restarted); // committed records only: still true after the rollback
            return new SpendOutcome.Refused(refused.Reason);
        }
    }

    /// <summary>
    /// Would a whole planned run on this scope (or legacy dataset) fit on every example it touches? Checked
    /// before a run starts, so it refuses to start rather than stopping part-way. (Each step is still checked
    /// again when it is released.)
    /// </summary>
    public string? CheckPlanned(string scopeKey, DpEvent plannedRun)
    {
        var current = Current();
        if (!TryBlocks(current, scopeKey, store.ReadScope, out var blocks, out var notStored)) return notStored;
        if (InsecureRandomness.IsIn(plannedRun)) return null;
        var (worst, after) = Worst(blocks, plannedRun);
        return after <= budget.Epsilon ? null : Refusal(scopeKey, worst, blocks.Count, after);
    }

    /// <summary>
    /// A user-level ε composes the records that charged the user's identity. A record that charged one of the user's examples but
    /// not the user (an example-level run, or a run that gave the example another owner) protected that example only; what it cost
    /// the person is a group-privacy bound this ledger does not compute. So a user-level run is refused on such examples: returns
    /// why (the runs, how many examples and users), or null when every record that charged one of <paramref name="examples"/> also
    /// charged its owner, <paramref name="owners"/>[i] (both are identities under the ledger's key, index-aligned).
    /// </summary>
    public string? CheckOwnersCharged(IReadOnlyList<ulong> examples, IReadOnlyList<ulong> owners)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(owners);
        if (examples.Count != owners.Count) throw new ArgumentException("one owner per example", nameof(owners));
        var runs = new SortedSet<string>(StringComparer.Ordinal);
        var users = new HashSet<ulong>();
        long uncovered = 0;
        foreach (var charges in Current().Scopes.Values)
        {
            if (charges.Scope is not { } scope) continue; // a legacy dataset key is disjoint from every scope
            long here = 0;
            for (var i = 0; i < examples.Count; i++)
                if (scope.Contains(examples[i]) && !scope.Contains(owners[i]))
                {
                    here++;
                    users.Add(owners[i]);
                }
            if (here == 0) continue;
            uncovered += here;
            runs.UnionWith(charges.Runs.Keys);
        }
        return uncovered == 0 ? null : string.Create(CultureInfo.InvariantCulture,
            $"{uncovered:N0} example charges of {users.Count:N0} users come from run(s) {string.Join(", ", runs)}, which charged those " +
            $"examples but not their owners (example-level runs, or another ownership of the same images): a user-level ε for those users " +
            $"would leave them out. Train user-level on users whose examples no example-level run used (or on another ledger only if " +
            $"the data owner accepts that those earlier runs are not counted per person)");
    }

    /// <summary>What the worst example of this scope (or legacy dataset) has spent, and the runs that spent it.</summary>
    public DatasetSpending Spent(string scopeKey)
    {
        var (worst, spent) = WorstNow(scopeKey);
        return new DatasetSpending(scopeKey, spent.Epsilon, budget.Delta, accountant.Name, worst.Runs, worst.Records);
    }

    /// <summary>The ε of the worst example of this scope (or legacy dataset), refreshed with records committed since (outside any append).</summary>
    public PrivacySpent Epsilon(string scopeKey) => WorstNow(scopeKey).Spent;

    private (BlockCharge Worst, PrivacySpent Spent) WorstNow(string scopeKey)
    {
        if (!TryBlocks(Current(), scopeKey, store.ReadScope, out var blocks, out var notStored)) throw new LedgerException(notStored);
        return blocks.Select(b => (Block: b, Spent: b.Tally.Epsilon(budget.Delta))).MaxBy(b => b.Spent.Epsilon);
    }

    private (BlockCharge Block, double Epsilon) Worst(IReadOnlyList<BlockCharge> blocks, DpEvent dpEvent) =>
        blocks.Select(b => (Block: b, Epsilon: b.Tally.With([dpEvent]).Epsilon(budget.Delta).Epsilon)).MaxBy(b => b.Epsilon);

    // Outside a transaction there is no head to read, but appends commit in sequence order, so the last
    // record read bounds what is complete.
    private ChargedLedger Current()
    {
        var known = Known();
        var newer = store.ReadAfter(known.Through);
        var current = newer.Count == 0 ? known : Extend(known, newer, newer[^1].Sequence, store.ReadScope);
        Remember(current);
        return current;
    }

    private ChargedLedger Extend(ChargedLedger known, IReadOnlyList<LedgerRecord> newer, long through, Func<string, DataScope?> readScope) =>
        known.Extend(newer.Select(Charge.Of).ToList(), through, c => ScopeOf(c.Key, readScope) ?? throw new LedgerException(
            $"ledger {store.Location} is damaged: record {c.Sequence} charges scope {c.Key}, which is not stored, so its examples cannot be charged. " +
            $"Run `./run.sh privacy ledger verify`; restore the ledger from a backup"), accountant.StartTally);

    /// <summary>The blocks of a scope under the ledger's charges; false (with the reason) if the scope is not stored.</summary>
    private bool TryBlocks(ChargedLedger ledger, string key, Func<string, DataScope?> readScope, out List<BlockCharge> blocks, out string notStored)
    {
        notStored = "";
        if (!DataScope.IsScopeKey(key))
        {
            blocks = [BlockCharge.Of(ledger.Scopes.ContainsKey(key) ? [key] : [], null, ledger, accountant.StartTally)];
            return true;
        }
        if (ScopeOf(key, readScope) is not { } scope)
        {
            blocks = [];
            notStored = $"scope {key} is not stored in ledger {store.Location}: a run must store its " +
                $"scope (ILedgerStore.PutScope) before it spends privacy on it; nothing was recorded";
            return false;
        }
        blocks = BlockCharge.Of(PartitionOf(scope, ledger), ledger, accountant.StartTally);
        return true;
    }

    private ScopePartition PartitionOf(DataScope scope, ChargedLedger ledger)
    {
        ScopePartition partition;
        lock (_gate) partition = _partitions.GetValueOrDefault(scope.Id) ?? ScopePartition.Whole(scope);
        var refined = partition;
        foreach (var charged in ledger.Scopes.Values)
            if (charged.Scope is { } other && !refined.IsRefinedWith(other.Id))
                refined = refined.Refine(other);
        if (!ReferenceEquals(refined, partition))
            lock (_gate) _partitions[scope.Id] = refined; // finer is never wrong: a block split by a scope not charged (yet) has its parts' ε
        return refined;
    }

    private DataScope? ScopeOf(string id, Func<string, DataScope?> readScope)
    {
        lock (_gate)
            if (_scopes.TryGetValue(id, out var known))
                return known;
        var read = readScope(id);
        if (read is not null)
            lock (_gate) _scopes[id] = read;
        return read;
    }

    private ChargedLedger Known()
    {
        lock (_gate) return _known;
    }

    // A ledger never replaces one that reaches further (another thread's newer append), unless the ledger
    // itself went back.
    private void Remember(ChargedLedger ledger, bool replace = false)
    {
        lock (_gate)
            if (replace || ledger.Through >= _known.Through) _known = ledger;
    }

    private string Refusal(string key, BlockCharge worst, int blocks, double after)
    {
        var spent = worst.Tally.Epsilon(budget.Delta).Epsilon;
        var name = DataScope.IsScopeKey(key) ? $"scope {Short(key)}" : $"dataset {Short(key)}";
        if (double.IsPositiveInfinity(spent) && worst.InsecureRuns.Count > 0)
            return $"{(worst.InsecureRuns.Count == 1 ? "run" : "runs")} {string.Join(", ", worst.InsecureRuns)} " +
                   $"used insecure reproducible randomness: ε of its examples is ∞; " +
                   $"use a fresh ledger for debugging runs. {Where(name, worst, blocks)} were among them, " +
                   $"so no private run may use them: train on examples no insecure run touched.";
        return string.Create(CultureInfo.InvariantCulture,
            $"privacy budget of {name} would be exceeded: {Where(name, worst, blocks)} would reach ε = " +
            $"{after:G4} > budget {budget.Epsilon:G4} at δ = {budget.Delta:G3} ({accountant.Name}). " +
            $"Already spent ε = {spent:G4} by {DatasetSpending.Describe(worst.Runs)}; remaining ε = {Math.Max(0, budget.Epsilon - spent):G4}. " +
            $"Lower the steps or sampling rate, raise the noise, train on examples not yet spent, " +
            $"or (if the data owner agrees) raise veil.privacy.budget.epsilon.");
    }

    private static string Where(string name, BlockCharge worst, int blocks) => worst.Examples is { } n
        ? string.Create(CultureInfo.InvariantCulture,
            $"the worst examples ({n:N0} of them, " +
            $"the block charged by {(worst.Scopes.Count == 0 ? "no scope yet" : string.Join(", ", worst.Scopes.Select(Short)))}; " +
            $"{blocks} block{(blocks == 1 ? "" : "s")} in {name})")
        : $"the examples of {name}";

    private static string Short(string key) => key[..Math.Min(key.Length, DataScope.IsScopeKey(key) ? DataScope.IdPrefix.Length + 12 : 12)];
}
