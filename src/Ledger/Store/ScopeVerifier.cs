using Veil.Ledger.Scopes;

namespace Veil.Ledger.Store;

/// <summary>
/// The scope rules, shared by every store, checked once the chain is sound: each stored scope's identities
/// hash to its id, and each record that names a scope finds it stored. A removed or altered scope would
/// change which examples a record charged, so either is as bad as a tampered record. Records whose dataset
/// key is not a scope id are legacy records and name no scope.
/// </summary>
public static class ScopeVerifier
{
    /// <summary>A stored scope row as read, before it is trusted.</summary>
    public sealed record RawScope(string Id, long? Count, byte[]? Identities);

    public static LedgerVerification Verify(IReadOnlyList<LedgerRecord> records, IReadOnlyList<RawScope> scopes)
    {
        var stored = new HashSet<string>(StringComparer.Ordinal);
        foreach (var scope in scopes)
        {
            var bad = Problem(scope);
            if (bad is not null)
            {
                var first = records.FirstOrDefault(r => r.DatasetFingerprint == scope.Id);
                return LedgerVerification.Bad(records.Count, first?.Sequence, $"scope {scope.Id} {bad}" +
                    (first is null ? " (no record names it yet)" : $" (first named by record {first.Sequence})"));
            }
            stored.Add(scope.Id);
        }
        foreach (var record in records)
            if (DataScope.IsScopeKey(record.DatasetFingerprint) && !stored.Contains(record.DatasetFingerprint))
                return LedgerVerification.Bad(records.Count, record.Sequence,
                    $"record {record.Sequence} charges scope {record.DatasetFingerprint}, which is not stored (removed: its examples would be under-counted)");
        return LedgerVerification.Ok(records.Count);
    }

    private static string? Problem(RawScope scope)
    {
        if (scope.Identities is null || scope.Count is null) return "is incomplete (tampered)";
        try
        {
            var read = DataScope.FromBytes(scope.Id, scope.Identities);
            return read.Count == scope.Count ? null : $"records {scope.Count} examples but holds {read.Count} (tampered)";
        }
        catch (LedgerException)
        {
            return "is altered: its example identities do not hash to its id (tampered)";
        }
    }
}
