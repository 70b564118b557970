using System.Globalization;
using Veil.Ledger.Accountants;
using Veil.Ledger.Events;
using Veil.Ledger.Store;

namespace Veil.Ledger.Budget;

/// <summary>
/// Spends privacy only within a dataset's budget. ε is computed from every event of the dataset in the
/// ledger (all runs, all processes) plus the new one, inside the store's exclusive append transaction,
/// so two runs racing for the last of a budget cannot both get it.
/// The guard keeps, per dataset, the accountant's running tally and the sequence number it reaches, and
/// inside each append folds in only the dataset's records committed after that (by anyone): a check
/// reads O(new records), not the whole history, and decides on the same ε the full recomputation gives.
/// </summary>
public sealed class BudgetGuard(ILedgerStore store, IPrivacyAccountant accountant, PrivacyBudget budget)
{
    private readonly Dictionary<string, CoveredTally> _tallies = new();

    public PrivacyBudget Budget => budget;

    public string AccountantName => accountant.Name;

    /// <summary>Appends the event if the dataset's total ε stays within budget; otherwise writes nothing.</summary>
    public SpendOutcome TrySpend(PendingEvent pending)
    {
        var dataset = pending.DatasetFingerprint;
        double after = double.NaN;
        CoveredTally? seen = null, admitted = null;
        var restarted = false;
        try
        {
            var record = store.Append(pending, history =>
            {
                // Runs inside the transaction and possibly more than once: it only computes; the cache is
                // updated below, once the outcome is known.
                var known = Known(dataset);
                restarted = history.HeadSequence < known.Through;
                if (restarted) known = Empty(); // a shorter ledger than we saw (a restored copy): start over, as a full recomputation would
                seen = known.Extend(history.RecordsAfter(known.Through), history.HeadSequence);
                var with = seen.Tally.With([pending.Event]);
                after = with.Epsilon(budget.Delta).Epsilon;
                if (after <= budget.Epsilon)
                {
                    admitted = new CoveredTally(history.HeadSequence + 1, with);
                    return null;
                }
                admitted = null;
                return Refusal(dataset, history.RecordsAfter(0), after);
            });
            if (admitted is not null && admitted.Through == record.Sequence) Remember(dataset, admitted, restarted);
            else if (seen is not null) Remember(dataset, seen, restarted);
            if (double.IsNaN(after)) // a retried release that was already recorded: report the current total
                after = Current(dataset).Tally.Epsilon(budget.Delta).Epsilon;
            return new SpendOutcome.Recorded(record, after);
        }
        catch (LedgerAppendRefusedException refused)
        {
            if (seen is not null) Remember(dataset, seen, restarted); // committed records only: still true after the rollback
            return new SpendOutcome.Refused(refused.Reason);
        }
    }

    /// <summary>
    /// Would a whole planned run fit? Checked before a run starts, so it refuses to start rather than
    /// stopping part-way. (Each step is still checked again when it is released.)
    /// </summary>
    public string? CheckPlanned(string datasetFingerprint, DpEvent plannedRun)
    {
        var after = Current(datasetFingerprint).Tally.With([plannedRun]).Epsilon(budget.Delta).Epsilon;
        return after <= budget.Epsilon ? null : Refusal(datasetFingerprint, store.ReadDataset(datasetFingerprint), after);
    }

    public DatasetSpending Spent(string datasetFingerprint) =>
        DatasetSpending.Of(datasetFingerprint, store.ReadDataset(datasetFingerprint), accountant, budget.Delta);

    /// <summary>The dataset's ε as the guard's tally has it, refreshed with records committed since (outside any append).</summary>
    public PrivacySpent Epsilon(string datasetFingerprint) => Current(datasetFingerprint).Tally.Epsilon(budget.Delta);

    // Outside a transaction there is no head to read, but appends commit in sequence order, so the last
    // record read bounds what is complete.
    private CoveredTally Current(string dataset)
    {
        var known = Known(dataset);
        var newer = store.ReadDataset(dataset, known.Through);
        var current = newer.Count == 0 ? known : known.Extend(newer, newer[^1].Sequence);
        Remember(dataset, current);
        return current;
    }

    private CoveredTally Known(string dataset)
    {
        lock (_tallies) return _tallies.GetValueOrDefault(dataset) ?? Empty();
    }

    private CoveredTally Empty() => new(0, accountant.StartTally());

    // A tally never replaces one that reaches further (another thread's newer append), unless the ledger
    // itself went back.
    private void Remember(string dataset, CoveredTally tally, bool replace = false)
    {
        lock (_tallies)
            if (replace || !_tallies.TryGetValue(dataset, out var known) || tally.Through >= known.Through) _tallies[dataset] = tally;
    }

    private string Refusal(string datasetFingerprint, IReadOnlyList<LedgerRecord> history, double after)
    {
        var spent = DatasetSpending.Of(datasetFingerprint, history, accountant, budget.Delta);
        return string.Create(CultureInfo.InvariantCulture,
            $"privacy budget of dataset {datasetFingerprint[..Math.Min(12, datasetFingerprint.Length)]} would be exceeded: " +
            $"ε would reach {after:G4} > budget {budget.Epsilon:G4} at δ = {budget.Delta:G3} ({accountant.Name}). " +
            $"Already spent ε = {spent.Epsilon:G4} by {spent.DescribeRuns()}; remaining ε = {Math.Max(0, budget.Epsilon - spent.Epsilon):G4}. " +
            $"Lower the steps or sampling rate, raise the noise, or (if the data owner agrees) raise veil.privacy.budget.epsilon.");
    }
}
