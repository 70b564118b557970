using System.Globalization;
using Veil.Ledger.Accountants;
using Veil.Ledger.Store;

namespace Veil.Ledger.Budget;

/// <summary>What a dataset has spent so far: ε from all its ledger events (every run), and per-run counts.</summary>
public sealed record DatasetSpending(string DatasetFingerprint, double Epsilon, double Delta, string Accountant, IReadOnlyList<RunSpending> Runs, long Records)
{
    public static DatasetSpending Of(string datasetFingerprint, IReadOnlyList<LedgerRecord> records, IPrivacyAccountant accountant, double delta)
    {
        var spent = records.Count == 0 ? 0 : accountant.Epsilon(records.Select(r => r.Event), delta).Epsilon;
        var runs = records.GroupBy(r => r.RunId)
            .Select(g => new RunSpending(g.Key, g.LongCount(), g.Min(r => r.Step), g.Max(r => r.Step), g.Min(r => r.Sequence)))
            .OrderBy(r => r.FirstSequence).ToList();
        return new DatasetSpending(datasetFingerprint, spent, delta, accountant.Name, runs, records.Count);
    }

    /// <summary>"run a: 120 events (steps 0–119), run b: 3 events (steps 0–2)".</summary>
    public string DescribeRuns() => Describe(Runs);

    /// <summary>"run a: 120 events (steps 0–119), run b: 3 events (steps 0–2)".</summary>
    public static string Describe(IReadOnlyList<RunSpending> runs) => runs.Count == 0
        ? "no runs yet"
        : string.Join(
            ", ", runs.Select(r => string.Create(CultureInfo.InvariantCulture, $"run {r.RunId}: {r.Events} events (steps {r.FirstStep}–{r.LastStep})")));
}

/// <summary>One run's share of a dataset's ledger.</summary>
public sealed record RunSpending(string RunId, long Events, long FirstStep, long LastStep, long FirstSequence);
