using System.Data.Common;

namespace Veil.Ledger.Store;

/// <summary>
/// The ledger table's columns and how a row of them is read, shared by every store so that SQLite and
/// PostgreSQL hand the chain verifier exactly the same raw rows.
/// </summary>
internal static class LedgerRows
{
    public const string Columns = "seq, release_id, dataset, run_id, step, event, ts_ms, prev_hash, hash";

    public static List<ChainVerifier.RawRow> ReadAll(DbDataReader reader)
    {
        var rows = new List<ChainVerifier.RawRow>();
        while (reader.Read())
        {
            rows.Add(new ChainVerifier.RawRow(
                reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetInt64(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8)));
        }
        return rows;
    }
}
