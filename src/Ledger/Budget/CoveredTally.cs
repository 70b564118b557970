using Veil.Ledger.Accountants;

namespace Veil.Ledger.Budget;

/// <summary>A dataset's tally and how far it reaches: every record of the dataset with a sequence number up to Through is folded in.</summary>
internal sealed record CoveredTally(long Through, IPrivacyTally Tally)
{
    /// <summary>This tally extended with records read after <see cref="Through"/>; those records must be all of them, in order.</summary>
    public CoveredTally Extend(IReadOnlyList<Store.LedgerRecord> newer, long through) =>
        new(through, newer.Count == 0 ? Tally : Tally.With(newer.Select(r => r.Event)));
}
