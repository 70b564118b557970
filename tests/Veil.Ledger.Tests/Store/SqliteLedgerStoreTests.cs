using Veil.Ledger.Events;
using Veil.Ledger.Store;
using Xunit;

namespace Veil.Ledger.Tests.Store;

public class SqliteLedgerStoreTests : IDisposable
{
    private readonly TemporaryLedger _ledger = new();
    private static readonly DpEvent Step = new PoissonSampled(0.01, new GaussianEvent(1.1));

    public void Dispose() => _ledger.Dispose();

    private void AppendSteps(int count, string run = "run-a", string dataset = "ds-1")
    {
        using var store = _ledger.Open();
        for (var i = 0; i < count; i++) store.Append(PendingEvent.NewRelease(dataset, run, i, Step));
    }

    [Fact]
    public void Appended_records_are_durable_chained_and_read_back_after_reopening()
    {
        AppendSteps(5);
        using var store = _ledger.Open();
        var records = store.ReadAll();
        Assert.Equal([1L, 2, 3, 4, 5], records.Select(r => r.Sequence));
        Assert.Equal(LedgerRecord.GenesisHash, records[0].PreviousHash);
        for (var i = 1; i < records.Count; i++) Assert.Equal(records[i - 1].Hash, records[i].PreviousHash);
        Assert.All(records, r => Assert.Equal(Step, r.Event));
        Assert.Equal(LedgerVerification.Ok(5), store.Verify());
    }

    [Fact]
    public void Records_are_grouped_by_dataset_fingerprint()
    {
        AppendSteps(3, dataset: "ds-1");
        AppendSteps(2, dataset: "ds-2");
        using var store = _ledger.Open();
        Assert.Equal(3, store.ReadDataset("ds-1").Count);
        Assert.Equal(2, store.ReadDataset("ds-2").Count);
        Assert.True(store.Verify().Valid);
    }

    [Fact]
    public void A_retried_append_of_the_same_release_is_recorded_once()
    {
        using var store = _ledger.Open();
        var release = PendingEvent.NewRelease("ds-1", "run-a", 0, Step);
        var first = store.Append(release);
        var retry = store.Append(release);
        Assert.Equal(first, retry);
        Assert.Single(store.ReadAll());
    }

    [Fact]
    public void A_step_redone_after_a_crash_is_a_new_release_and_counts_again()
    {
        using var store = _ledger.Open();
        store.Append(PendingEvent.NewRelease("ds-1", "run-a", 7, Step));
        store.Append(PendingEvent.NewRelease("ds-1", "run-a", 7, Step));
        Assert.Equal(2, store.ReadAll().Count(r => r.Step == 7));
    }

    [Fact]
    public void A_tampered_event_is_detected_and_named()
    {
        AppendSteps(5);
        _ledger.Sql("UPDATE ledger SET event = '{\"type\":\"gaussian\",\"noise_multiplier\":100}' WHERE seq = 3;");
        using var store = _ledger.Open();
        var v = store.Verify();
        Assert.False(v.Valid);
        Assert.Equal(3, v.FirstBadSequence);
        Assert.Contains("tampered", v.Reason);
    }

    [Fact]
    public void A_missing_sequence_number_is_detected_and_named()
    {
        AppendSteps(5);
        _ledger.Sql("DELETE FROM ledger WHERE seq = 2;");
        using var store = _ledger.Open();
        var v = store.Verify();
        Assert.Equal(2, v.FirstBadSequence);
        Assert.Contains("missing sequence number 2", v.Reason);
    }

    [Fact]
    public void A_torn_tail_is_detected_and_named_never_dropped()
    {
        AppendSteps(4);
        _ledger.Sql("INSERT INTO ledger (seq, release_id, dataset, run_id, step, event) VALUES (5, 'x', 'ds-1', 'run-a', 4, '{\"type\":\"gaus');");
        using var store = _ledger.Open();
        var v = store.Verify();
        Assert.Equal(5, v.FirstBadSequence);
        Assert.Contains("torn tail", v.Reason);
        Assert.Equal(5, v.Records); // the partial record is still there: reported, not repaired
    }

    [Fact]
    public void Deleting_the_newest_records_is_detected_as_truncation()
    {
        AppendSteps(6);
        _ledger.Sql("DELETE FROM ledger WHERE seq >= 5;");
        using var store = _ledger.Open();
        var v = store.Verify();
        Assert.False(v.Valid);
        Assert.Equal(5, v.FirstBadSequence);
        Assert.Contains("truncated", v.Reason);
        Assert.Throws<LedgerException>(() => store.Append(PendingEvent.NewRelease("ds-1", "run-a", 6, Step)));
    }

    [Fact]
    public void Appending_after_a_middle_record_was_deleted_is_refused()
    {
        AppendSteps(4);
        _ledger.Sql("DELETE FROM ledger WHERE seq = 2;");
        using var store = _ledger.Open();
        var e = Assert.Throws<LedgerException>(() => store.Append(PendingEvent.NewRelease("ds-1", "run-a", 4, Step)));
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void A_broken_link_is_detected_and_named()
    {
        AppendSteps(4);
        _ledger.Sql($"UPDATE ledger SET prev_hash = '{new string('a', 64)}' WHERE seq = 3;");
        using var store = _ledger.Open();
        var v = store.Verify();
        Assert.Equal(3, v.FirstBadSequence);
        Assert.Contains("broken link", v.Reason);
    }

    [Fact]
    public void Appending_onto_a_damaged_tail_is_refused_with_the_file_and_the_fix()
    {
        AppendSteps(3);
        _ledger.Sql("UPDATE ledger SET hash = NULL WHERE seq = 3;");
        using var store = _ledger.Open();
        var e = Assert.Throws<LedgerException>(() => store.Append(PendingEvent.NewRelease("ds-1", "run-a", 3, Step)));
        Assert.Contains(_ledger.Path, e.Message);
        Assert.Contains("ledger verify", e.Message);
        Assert.Equal(3, store.Verify().Records);
    }

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
