namespace Veil.Ledger.Store;

/// <summary>
/// What an admission check sees inside an append's exclusive transaction: the ledger's head, and the
/// dataset's committed records (by every process) past any sequence number. A caller that already holds
/// a summary of the records up to some sequence reads only the ones after it, so a check costs
/// O(new records), not O(history).
/// </summary>
public sealed class DatasetHistory(string datasetFingerprint, long headSequence, Func<long, IReadOnlyList<LedgerRecord>> readAfter)
{
    public string DatasetFingerprint => datasetFingerprint;

    /// <summary>The last committed sequence number of the whole ledger; the record being appended gets the next one.</summary>
    public long HeadSequence => headSequence;

    /// <summary>The dataset's committed records with a sequence number above <paramref name="sequence"/>, in order (0: all of them).</summary>
    public IReadOnlyList<LedgerRecord> RecordsAfter(long sequence) => readAfter(sequence);
}
