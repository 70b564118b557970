using Veil.Ledger.Events;
using Veil.Ledger.Store;
using Xunit;

namespace Veil.Ledger.Tests.Store;

/// <summary>What only the SQLite store does (files); the shared behaviour is in <see cref="LedgerStoreContract"/>.</summary>
public class SqliteLedgerStoreTests : IDisposable
{
    private readonly TemporaryLedger _ledger = new();

    public void Dispose() => _ledger.Dispose();

    [Fact]
    public void A_sqlite_file_that_is_not_a_ledger_is_refused()
    {
        _ledger.Sql("CREATE TABLE customers (id INTEGER);");
        var e = Assert.Throws<LedgerException>(() => _ledger.Open());
        Assert.Contains("not a Veil ledger", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_sqlite_at_all_is_refused_with_its_name()
    {
        File.WriteAllText(_ledger.Path, "this is not a database, just text long enough to have a header............................................");
        var e = Assert.Throws<LedgerException>(() => _ledger.Open());
        Assert.Contains(_ledger.Path, e.Message);
    }

    [Fact]
    public void Opening_a_missing_ledger_for_reading_names_it()
    {
        var e = Assert.Throws<FileNotFoundException>(() => SqliteLedgerStore.Open(_ledger.Path, createIfMissing: false));
        Assert.Contains(_ledger.Path, e.Message);
    }

    [Fact]
    public void The_hash_layout_is_stable()
    {
        // Pinned: a PostgreSQL store, or a future Veil, must compute exactly this for the same record.
        var hash = RecordHash.Of(1, "r1", "ds", "run", 0, DpEventJson.Serialize(new GaussianEvent(1.0)), 1_700_000_000_000, LedgerRecord.GenesisHash);
        Assert.Equal(64, hash.Length);
        Assert.Equal(hash, RecordHash.Of(1, "r1", "ds", "run", 0, "{\"type\":\"gaussian\",\"noise_multiplier\":1}", 1_700_000_000_000, LedgerRecord.GenesisHash));
        Assert.NotEqual(hash, RecordHash.Of(1, "r1", "ds", "run", 0, "{\"type\":\"gaussian\",\"noise_multiplier\":1}", 1_700_000_000_001, LedgerRecord.GenesisHash));
        // Length prefixes: moving a character between adjacent fields changes the hash.
        Assert.NotEqual(RecordHash.Of(1, "ab", "c", "run", 0, "{}", 0, LedgerRecord.GenesisHash), RecordHash.Of(1, "a", "bc", "run", 0, "{}", 0, LedgerRecord.GenesisHash));
    }
}
