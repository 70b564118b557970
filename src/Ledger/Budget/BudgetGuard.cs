using System.Globalization;
using Veil.Ledger.Accountants;
using Veil.Ledger.Events;
using Veil.Ledger.Store;

namespace Veil.Ledger.Budget;

/// <summary>
/// Spends privacy only within a dataset's budget. ε is computed from every event of the dataset in the
/// ledger (all runs, all processes) plus the new one, inside the store's exclusive append transaction,
/// so two runs racing for the last of a budget cannot both get it.
/// </summary>
public sealed class BudgetGuard(ILedgerStore store, IPrivacyAccountant accountant, PrivacyBudget budget)
{
    public PrivacyBudget Budget => budget;

    public string AccountantName => accountant.Name;

    /// <summary>Appends the event if the dataset's total ε stays within budget; otherwise writes nothing.</summary>
    public SpendOutcome TrySpend(PendingEvent pending)
    {
        double after = double.NaN;
        try
        {
            var record = store.Append(pending, history =>
            {
                after = accountant.Epsilon(history.Select(r => r.Event).Append(pending.Event), budget.Delta).Epsilon;
                return after <= budget.Epsilon ? null : Refusal(pending.DatasetFingerprint, history, pending.Event, after);
            });
            if (double.IsNaN(after)) // a retried release that was already recorded: report the current total
                after = Spent(pending.DatasetFingerprint).Epsilon;
            return new SpendOutcome.Recorded(record, after);
        }
        catch (LedgerAppendRefusedException refused)
        {
            return new SpendOutcome.Refused(refused.Reason);
        }
    }

    /// <summary>
    /// Would a whole planned run fit? Checked before a run starts, so it refuses to start rather than
    /// stopping part-way. (Each step is still checked again when it is released.)
    /// </summary>
    public string? CheckPlanned(string datasetFingerprint, DpEvent plannedRun)
    {
        var history = store.ReadDataset(datasetFingerprint);
        var after = accountant.Epsilon(history.Select(r => r.Event).Append(plannedRun), budget.Delta).Epsilon;
        return after <= budget.Epsilon ? null : Refusal(datasetFingerprint, history, plannedRun, after);
    }

    public DatasetSpending Spent(string datasetFingerprint) =>
        DatasetSpending.Of(datasetFingerprint, store.ReadDataset(datasetFingerprint), accountant, budget.Delta);

    private string Refusal(string datasetFingerprint, IReadOnlyList<LedgerRecord> history, DpEvent wanted, double after)
    {
        var spent = DatasetSpending.Of(datasetFingerprint, history, accountant, budget.Delta);
        return string.Create(CultureInfo.InvariantCulture,
            $"privacy budget of dataset {datasetFingerprint[..Math.Min(12, datasetFingerprint.Length)]} would be exceeded: " +
            $"ε would reach {after:G4} > budget {budget.Epsilon:G4} at δ = {budget.Delta:G3} ({accountant.Name}). " +
            $"Already spent ε = {spent.Epsilon:G4} by {spent.DescribeRuns()}; remaining ε = {Math.Max(0, budget.Epsilon - spent.Epsilon):G4}. " +
            $"Lower the steps or sampling rate, raise the noise, or (if the data owner agrees) raise veil.privacy.budget.epsilon.");
    }
}
