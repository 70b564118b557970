namespace Veil.Ledger.Store;

/// <summary>
/// The chain rules, shared by every store: contiguous sequence numbers from 1, each record's previous
/// hash equal to the hash of the record before, each hash equal to the recomputed one. A record that
/// cannot even be read (missing fields, unparseable event) is a torn tail when it is the last one,
/// tampering otherwise.
/// </summary>
public static class ChainVerifier
{
    /// <summary>A stored row as read, before it is trusted: any field may be missing.</summary>
    public sealed record RawRow(long Sequence, string? ReleaseId, string? Dataset, string? RunId, long? Step,
        string? EventJson, long? TimestampUnixMs, string? PreviousHash, string? Hash);

    /// <summary>
    /// The chain rules, then the head row: its sequence and hash must name the last record, so deleting the
    /// newest records (which leaves a valid, shorter chain) is reported as truncation. The head is read only
    /// when the chain itself is sound.
    /// </summary>
    public static LedgerVerification Verify(IReadOnlyList<RawRow> rows, Func<(long Sequence, string Hash)> readHead)
    {
        var chain = Verify(rows);
        if (!chain.Valid) return chain;
        var (headSequence, headHash) = readHead();
        var lastHash = rows.Count == 0 ? LedgerRecord.GenesisHash : rows[^1].Hash;
        if (headSequence != rows.Count || headHash != lastHash)
            return LedgerVerification.Bad(rows.Count, Math.Min(headSequence, rows.Count + 1),
                headSequence > rows.Count
                    ? $"truncated: the head records {headSequence} records but only {rows.Count} " +
                      $"remain (records {rows.Count + 1}–{headSequence} were removed)"
                    : $"head mismatch: the head records {headSequence} records ending in {ShortHash(headHash)}, " +
                      $"the chain has {rows.Count} ending in {ShortHash(lastHash)}");
        return chain;
    }

    /// <summary>A hash's first 12 characters, for messages.</summary>
    public static string ShortHash(string? hash) => hash is null ? "(none)" : hash[..Math.Min(12, hash.Length)] + "…";

    public static LedgerVerification Verify(IReadOnlyList<RawRow> rows)
    {
        var previousHash = LedgerRecord.GenesisHash;
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var expected = i + 1L;
            var isLast = i == rows.Count - 1;
            if (row.Sequence != expected)
                return LedgerVerification.Bad(rows.Count, expected,
                    row.Sequence > expected
                        ? $"missing sequence number {expected} (next record is {row.Sequence})"
                        : $"duplicate or out-of-order sequence number {row.Sequence}");
            if (TryComplete(row) is not { } record)
                return LedgerVerification.Bad(rows.Count, expected, isLast
                    ? $"torn tail: record {expected} is incomplete (a partial last write)"
                    : $"record {expected} is incomplete or unreadable (tampered)");
            if (record.PreviousHash != previousHash)
                return LedgerVerification.Bad(rows.Count, expected, $"broken link: record {expected} does not point to the hash of record {expected - 1}");
            if (RecordHash.Of(record) != record.Hash)
                return LedgerVerification.Bad(rows.Count, expected, $"tampered: record {expected}'s content does not match its hash");
            previousHash = record.Hash;
        }
        return LedgerVerification.Ok(rows.Count);
    }

    /// <summary>The row as a record if every field is present and the event parses; null otherwise.</summary>
    public static LedgerRecord? TryComplete(RawRow row)
    {
        if (row.ReleaseId is null || row.Dataset is null || row.RunId is null || row.Step is null || row.EventJson is null
            || row.TimestampUnixMs is null || row.PreviousHash is null || string.IsNullOrEmpty(row.Hash))
            return null;
        try
        {
            Events.DpEventJson.Deserialize(row.EventJson);
        }
        catch (FormatException)
        {
            return null;
        }
        return new LedgerRecord(row.Sequence, row.ReleaseId, row.Dataset, row.RunId, row.Step.Value, row.EventJson,
            row.TimestampUnixMs.Value, row.PreviousHash, row.Hash);
    }
}
