using System.Globalization;
using Veil.Ledger.Accountants;
using Veil.Ledger.Budget;
using Veil.Ledger.Events;
using Veil.Ledger.Scopes;
using Veil.Ledger.Store;
using Xunit;

namespace Veil.Ledger.Tests.Store;

/// <summary>
/// What every ledger store must do, run against each implementation (SQLite, PostgreSQL) so they are held
/// to identical behaviour. Damage is done with the same raw SQL in both (same tables and columns).
/// </summary>
public abstract class LedgerStoreContract : IDisposable
{
    private static readonly DpEvent Step = new PoissonSampled(0.01, new GaussianEvent(1.1));
    private static readonly DpEvent BudgetStep = new PoissonSampled(0.05, new GaussianEvent(1.0)); // the appender's, in budget mode
    private static readonly RdpAccountant Rdp = new();

    /// <summary>Opens (creating on first use) this test's ledger.</summary>
    protected abstract ILedgerStore Open();

    /// <summary>Runs raw SQL on this test's ledger, behind the store's back.</summary>
    protected abstract void Damage(string sql);

    /// <summary>How tests/Veil.Ledger.Appender is told where this ledger is.</summary>
    protected abstract IReadOnlyList<string> AppenderLedgerArguments { get; }

    /// <summary>A folder for start signals.</summary>
    protected abstract string Folder { get; }

    public virtual void Dispose() => GC.SuppressFinalize(this);

    private void AppendSteps(int count, string run = "run-a", string dataset = "ds-1")
    {
        using var store = Open();
        for (var i = 0; i < count; i++) store.Append(PendingEvent.NewRelease(dataset, run, i, Step));
    }

    private static double EpsilonOf(int steps) => Rdp.Epsilon([new SelfComposed(BudgetStep, steps)], 1e-5).Epsilon;

    [Fact]
    public void Appended_records_are_durable_chained_and_read_back_after_reopening()
    {
        AppendSteps(5);
        using var store = Open();
        var records = store.ReadAll();
        Assert.Equal([1L, 2, 3, 4, 5], records.Select(r => r.Sequence));
        Assert.Equal(LedgerRecord.GenesisHash, records[0].PreviousHash);
        for (var i = 1; i < records.Count; i++) Assert.Equal(records[i - 1].Hash, records[i].PreviousHash);
        Assert.All(records, r => Assert.Equal(Step, r.Event));
        Assert.All(records, r => Assert.Equal(RecordHash.Of(r), r.Hash));
        Assert.Equal(LedgerVerification.Ok(5), store.Verify());
    }

    [Fact]
    public void An_empty_ledger_verifies_with_zero_records()
    {
        using var store = Open();
        Assert.Equal(LedgerVerification.Ok(0), store.Verify());
        Assert.Empty(store.ReadAll());
    }

    [Fact]
    public void Records_are_grouped_by_dataset_fingerprint()
    {
        AppendSteps(3, dataset: "ds-1");
        AppendSteps(2, dataset: "ds-2");
        using var store = Open();
        Assert.Equal(3, store.ReadDataset("ds-1").Count);
        Assert.Equal(2, store.ReadDataset("ds-2").Count);
        Assert.True(store.Verify().Valid);
    }

    [Fact]
    public void Reading_a_dataset_after_a_sequence_number_returns_only_its_later_records_in_order()
    {
        using var store = Open();
        foreach (var (dataset, step) in new[] { ("ds-1", 0), ("ds-2", 0), ("ds-1", 1), ("ds-2", 1), ("ds-1", 2) })
            store.Append(PendingEvent.NewRelease(dataset, "run", step, Step));
        Assert.Equal([1L, 3, 5], store.ReadDataset("ds-1", 0).Select(r => r.Sequence));
        Assert.Equal([3L, 5], store.ReadDataset("ds-1", 1).Select(r => r.Sequence));
        Assert.Equal([3L, 5], store.ReadDataset("ds-1", 2).Select(r => r.Sequence));
        Assert.Equal([5L], store.ReadDataset("ds-1", 4).Select(r => r.Sequence));
        Assert.Empty(store.ReadDataset("ds-1", 5));
        Assert.Equal(store.ReadDataset("ds-1"), store.ReadDataset("ds-1", 0));
    }

    [Fact]
    public void A_retried_append_of_the_same_release_is_recorded_once()
    {
        using var store = Open();
        var release = PendingEvent.NewRelease("ds-1", "run-a", 0, Step);
        var first = store.Append(release);
        var retry = store.Append(release);
        Assert.Equal(first, retry);
        using var other = Open(); // another connection retrying (a coordinator that moved) finds it too
        Assert.Equal(first, other.Append(release));
        Assert.Single(store.ReadAll());
    }

    [Fact]
    public void A_step_redone_after_a_crash_is_a_new_release_and_counts_again()
    {
        using var store = Open();
        store.Append(PendingEvent.NewRelease("ds-1", "run-a", 7, Step));
        store.Append(PendingEvent.NewRelease("ds-1", "run-a", 7, Step));
        Assert.Equal(2, store.ReadAll().Count(r => r.Step == 7));
    }

    [Fact]
    public void A_tampered_event_is_detected_and_named()
    {
        AppendSteps(5);
        Damage("UPDATE ledger SET event = '{\"type\":\"gaussian\",\"noise_multiplier\":100}' WHERE seq = 3;");
        using var store = Open();
        var v = store.Verify();
        Assert.False(v.Valid);
        Assert.Equal(3, v.FirstBadSequence);
        Assert.Contains("tampered", v.Reason);
    }

    [Fact]
    public void A_missing_sequence_number_is_detected_and_named()
    {
        AppendSteps(5);
        Damage("DELETE FROM ledger WHERE seq = 2;");
        using var store = Open();
        var v = store.Verify();
        Assert.Equal(2, v.FirstBadSequence);
        Assert.Contains("missing sequence number 2", v.Reason);
    }

    [Fact]
    public void A_torn_tail_is_detected_and_named_never_dropped()
    {
        AppendSteps(4);
        Damage("INSERT INTO ledger (seq, release_id, dataset, run_id, step, event) VALUES (5, 'x', 'ds-1', 'run-a', 4, '{\"type\":\"gaus');");
        using var store = Open();
        var v = store.Verify();
        Assert.Equal(5, v.FirstBadSequence);
        Assert.Contains("torn tail", v.Reason);
        Assert.Equal(5, v.Records); // the partial record is still there: reported, not repaired
    }

    [Fact]
    public void Deleting_the_newest_records_is_detected_as_truncation()
    {
        AppendSteps(6);
        Damage("DELETE FROM ledger WHERE seq >= 5;");
        using var store = Open();
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
        Damage("DELETE FROM ledger WHERE seq = 2;");
        using var store = Open();
        var e = Assert.Throws<LedgerException>(() => store.Append(PendingEvent.NewRelease("ds-1", "run-a", 4, Step)));
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void A_record_deleted_after_this_store_last_appended_is_found_by_the_next_append()
    {
        using var store = Open();
        for (var i = 0; i < 4; i++) store.Append(PendingEvent.NewRelease("ds-1", "run-a", i, Step));
        using (var other = Open())
            for (var i = 4; i < 8; i++) other.Append(PendingEvent.NewRelease("ds-1", "run-b", i, Step));
        Damage("DELETE FROM ledger WHERE seq = 6;"); // among the rows this store has not counted yet
        var e = Assert.Throws<LedgerException>(() => store.Append(PendingEvent.NewRelease("ds-1", "run-a", 4, Step)));
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void A_broken_link_is_detected_and_named()
    {
        AppendSteps(4);
        Damage($"UPDATE ledger SET prev_hash = '{new string('a', 64)}' WHERE seq = 3;");
        using var store = Open();
        var v = store.Verify();
        Assert.Equal(3, v.FirstBadSequence);
        Assert.Contains("broken link", v.Reason);
    }

    [Fact]
    public void Appending_onto_a_damaged_tail_is_refused_with_the_ledger_and_the_fix()
    {
        AppendSteps(3);
        Damage("UPDATE ledger SET hash = NULL WHERE seq = 3;");
        using var store = Open();
        var e = Assert.Throws<LedgerException>(() => store.Append(PendingEvent.NewRelease("ds-1", "run-a", 3, Step)));
        Assert.Contains(store.Location, e.Message);
        Assert.Contains("ledger verify", e.Message);
        Assert.Equal(3, store.Verify().Records);
    }

    [Fact]
    public void A_refused_admission_writes_nothing_and_admission_sees_every_committed_record()
    {
        using var writer = Open();
        using var other = Open();
        writer.Append(PendingEvent.NewRelease("ds-1", "run-a", 0, Step));
        writer.Append(PendingEvent.NewRelease("ds-2", "run-b", 0, Step));
        writer.Append(PendingEvent.NewRelease("ds-1", "run-a", 1, Step));
        IReadOnlyList<LedgerRecord>? seen = null, afterFirst = null;
        long head = -1;
        var e = Assert.Throws<LedgerAppendRefusedException>(() => other.Append(PendingEvent.NewRelease("ds-1", "run-c", 0, Step), history =>
        {
            (seen, afterFirst, head) = (history.RecordsAfter(0), history.RecordsAfter(1), history.HeadSequence);
            return "over budget";
        }));
        Assert.Equal("over budget", e.Reason);
        Assert.Equal([1L, 2, 3], seen!.Select(r => r.Sequence)); // every committed record, of every dataset, from the other connection too
        Assert.Equal([2L, 3], afterFirst!.Select(r => r.Sequence));
        Assert.Equal(3, head);
        Assert.Equal(3, writer.ReadAll().Count);
        Assert.Equal(LedgerVerification.Ok(3), writer.Verify());
        Assert.Equal(4, other.Append(PendingEvent.NewRelease("ds-1", "run-c", 0, Step), _ => null).Sequence); // and nothing was skipped
    }

    [Fact]
    public void A_step_past_the_budget_is_refused_inside_the_append()
    {
        using var store = Open();
        var guard = new BudgetGuard(store, Rdp, new PrivacyBudget((EpsilonOf(4) + EpsilonOf(5)) / 2, 1e-5));
        for (var i = 0; i < 4; i++) Assert.IsType<SpendOutcome.Recorded>(guard.TrySpend(PendingEvent.NewRelease("ds", "run-a", i, BudgetStep)));
        Assert.IsType<SpendOutcome.Refused>(guard.TrySpend(PendingEvent.NewRelease("ds", "run-a", 4, BudgetStep)));
        Assert.Equal(4, store.ReadAll().Count);
        Assert.True(store.Verify().Valid);
    }

    private static readonly DataScope ScopeA = DataScope.Of(Enumerable.Range(0, 200).Select(i => (ulong)i * 31));
    private static readonly DataScope ScopeB = DataScope.Of(Enumerable.Range(100, 200).Select(i => (ulong)i * 31));

    [Fact]
    public void A_stored_scope_reads_back_and_storing_it_again_changes_nothing()
    {
        using (var store = Open())
        {
            store.PutScope(ScopeA);
            store.PutScope(ScopeA);
        }
        using var reopened = Open();
        reopened.PutScope(ScopeB);
        var read = reopened.ReadScope(ScopeA.Id);
        Assert.NotNull(read);
        Assert.Equal(ScopeA.Identities.ToArray(), read.Identities.ToArray());
        Assert.Null(reopened.ReadScope(DataScope.Of([1UL]).Id));
        Assert.Equal(new[] { new StoredScope(ScopeA.Id, 200), new StoredScope(ScopeB.Id, 200) }.OrderBy(s => s.Id, StringComparer.Ordinal), reopened.ReadScopeIds());
        Assert.Equal(LedgerVerification.Ok(0), reopened.Verify());
    }

    [Fact]
    public void Admission_sees_a_scope_stored_by_another_connection()
    {
        using var store = Open();
        using var other = Open();
        store.Append(PendingEvent.NewRelease("ds-1", "run-a", 0, Step)); // the store is busy already
        other.PutScope(ScopeA);
        DataScope? seen = null;
        store.Append(PendingEvent.NewRelease(ScopeA.Id, "run-a", 0, Step), history =>
        {
            seen = history.Scope(ScopeA.Id);
            return null;
        });
        Assert.Equal(ScopeA.Id, seen?.Id);
        Assert.Equal(LedgerVerification.Ok(2), store.Verify());
    }

    [Fact]
    public void An_altered_scope_fails_verification_naming_it()
    {
        using (var store = Open())
        {
            store.PutScope(ScopeA);
            store.PutScope(ScopeB);
            store.Append(PendingEvent.NewRelease(ScopeA.Id, "run-a", 0, Step));
            store.Append(PendingEvent.NewRelease(ScopeA.Id, "run-a", 1, Step));
        }
        Damage($"UPDATE scopes SET identities = (SELECT identities FROM scopes WHERE id = '{ScopeB.Id}') WHERE id = '{ScopeA.Id}';");
        using var reopened = Open();
        var v = reopened.Verify();
        Assert.False(v.Valid);
        Assert.Equal(1, v.FirstBadSequence);
        Assert.Contains(ScopeA.Id, v.Reason);
        Assert.Contains("tampered", v.Reason);
        Assert.Throws<LedgerException>(() => reopened.ReadScope(ScopeA.Id));
    }

    [Fact]
    public void A_removed_scope_fails_verification_at_the_first_record_that_names_it()
    {
        using (var store = Open())
        {
            store.PutScope(ScopeA);
            store.PutScope(ScopeB);
            store.Append(PendingEvent.NewRelease(ScopeA.Id, "run-a", 0, Step));
            store.Append(PendingEvent.NewRelease(ScopeB.Id, "run-b", 0, Step));
            store.Append(PendingEvent.NewRelease(ScopeB.Id, "run-b", 1, Step));
        }
        Damage($"DELETE FROM scopes WHERE id = '{ScopeB.Id}';");
        using var reopened = Open();
        var v = reopened.Verify();
        Assert.Equal(2, v.FirstBadSequence);
        Assert.Contains(ScopeB.Id, v.Reason);
        Assert.Contains("not stored", v.Reason);
        var guard = new BudgetGuard(reopened, Rdp, new PrivacyBudget(100, 1e-5));
        Assert.Throws<LedgerException>(() => guard.TrySpend(PendingEvent.NewRelease(ScopeA.Id, "run-c", 0, Step))); // never under-counts
    }

    [Fact]
    public void A_ledger_written_before_scopes_existed_opens_verifies_and_takes_scopes()
    {
        AppendSteps(3);
        Damage("DROP TABLE scopes;");
        using var store = Open();
        Assert.Equal(LedgerVerification.Ok(3), store.Verify());
        store.PutScope(ScopeA);
        store.Append(PendingEvent.NewRelease(ScopeA.Id, "run-b", 0, Step));
        Assert.Equal(LedgerVerification.Ok(4), store.Verify());
        Assert.Equal(3, store.ReadDataset("ds-1").Count);
    }

    [Fact]
    public void The_first_accountant_bound_to_a_ledger_stays_bound_and_is_not_the_identity_key()
    {
        using (var store = Open())
        {
            Assert.Null(store.BoundAccountant());
            Assert.Equal("pld", store.BindAccountant("pld"));
            Assert.Equal("check-1", store.BindIdentityKey("check-1"));
        }
        using var other = Open();
        Assert.Equal("pld", other.BoundAccountant());
        Assert.Equal("pld", other.BindAccountant("rdp"));
        Assert.Equal("pld", other.BoundAccountant());
        Assert.Equal(LedgerVerification.Ok(0), other.Verify());
    }

    [Fact]
    public void The_first_identity_key_check_value_bound_to_a_ledger_stays_bound()
    {
        using (var store = Open())
        {
            Assert.Equal("check-1", store.BindIdentityKey("check-1"));
            Assert.Equal("check-1", store.BindIdentityKey("check-1"));
        }
        using var other = Open();
        Assert.Equal("check-1", other.BindIdentityKey("check-2"));
        var e = Assert.Throws<LedgerException>(() => ExampleIdentityKey.RequireMatches(other, ExampleIdentityKey.Generate(), "/etc/veil/identity.key"));
        Assert.Contains("check-1"[..7], e.Message);
        Assert.Equal(LedgerVerification.Ok(0), other.Verify());
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Two_guards_on_two_connections_interleaving_appends_decide_on_the_full_recomputations_epsilon(int seed)
    {
        // Each guard keeps its own tally and must pick up the other's appends (another process, as far as
        // it knows). Deterministic for the seed; ε within 1e-12 relative, and the same admit/refuse decision
        // (a budget within 1e-12 of an ε could flip it, which these seeds do not produce).
        using var a = Open();
        using var b = Open();
        var random = new Budget.RandomHistories(seed);
        var budget = new PrivacyBudget(8, 1e-5);
        BudgetGuard[] guards = [new(a, new RdpAccountant(), budget), new(b, new RdpAccountant(), budget)];
        int recorded = 0, refused = 0;
        for (var i = 0; i < 120; i++)
        {
            var who = random.Next(2);
            var dataset = random.Next(4) == 0 ? "other" : "ds";
            var dpEvent = random.NextEvent();
            var expected = Rdp.Epsilon(a.ReadDataset(dataset).Select(r => r.Event).Append(dpEvent), 1e-5).Epsilon;
            var outcome = guards[who].TrySpend(PendingEvent.NewRelease(dataset, $"run-{who}", i, dpEvent));
            if (expected <= budget.Epsilon)
            {
                var spent = Assert.IsType<SpendOutcome.Recorded>(outcome).EpsilonSpent;
                Assert.True(Math.Abs(spent - expected) <= 1e-12 * expected, $"step {i}: guard ε {spent:R}, full recomputation {expected:R}");
                recorded++;
            }
            else
            {
                Assert.IsType<SpendOutcome.Refused>(outcome);
                refused++;
            }
        }
        Assert.True(recorded >= 20 && refused >= 20, $"the seed exercised too little: {recorded} recorded, {refused} refused");
        Assert.True(a.Verify().Valid);
    }

    [Fact]
    public void Two_processes_appending_to_one_ledger_never_fork_the_chain()
    {
        using (Open()) { } // create it first, so neither process races to create the schema
        const int each = 300;
        AppenderProcesses.RunTogether(Folder, [[.. AppenderLedgerArguments, "run-a", $"{each}"], [.. AppenderLedgerArguments, "run-b", $"{each}"]]);
        using var store = Open();
        var records = store.ReadAll();
        Assert.Equal(Enumerable.Range(1, 2 * each).Select(i => (long)i), records.Select(r => r.Sequence));
        Assert.Equal(each, records.Count(r => r.RunId == "run-a"));
        Assert.Equal(each, records.Count(r => r.RunId == "run-b"));
        Assert.True(store.Verify().Valid, store.Verify().Reason);
        // Both really ran at once: their records interleave.
        Assert.True(records.Zip(records.Skip(1)).Count(p => p.First.RunId != p.Second.RunId) > 1, "the two processes never interleaved");
    }

    [Fact]
    public void Two_processes_spending_mixed_events_each_report_the_full_recomputations_epsilon()
    {
        // Each process's guard folds the other's appends into its own tally; every ε it reports must equal
        // the accountant run over the whole dataset up to that record (1e-12 relative). Seeds 1 and 2.
        using (Open()) { }
        string[] budgetArgs = ["--budget-epsilon", "1000000"];
        var outputs = AppenderProcesses.RunTogether(Folder,
            [[.. AppenderLedgerArguments, .. budgetArgs, "--mixed-seed", "1", "run-a", "120"], [.. AppenderLedgerArguments, .. budgetArgs, "--mixed-seed", "2", "run-b", "120"]]);
        var reported = outputs.SelectMany(o => o.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(line => line.StartsWith("spent ", StringComparison.Ordinal))
            .Select(line => line.Split(' '))
            .Select(f => (Sequence: long.Parse(f[1], CultureInfo.InvariantCulture), Epsilon: double.Parse(f[2], CultureInfo.InvariantCulture)))
            .ToList();
        Assert.Equal(240, reported.Count);
        using var store = Open();
        var records = store.ReadDataset("dataset-under-test");
        Assert.True(records.Zip(records.Skip(1)).Count(p => p.First.RunId != p.Second.RunId) > 1, "the two processes never interleaved");
        Assert.True(records.Select(r => r.EventJson).Distinct().Count() > 10, "the events were not mixed");
        foreach (var (sequence, epsilon) in reported)
        {
            var expected = Rdp.Epsilon(records.Where(r => r.Sequence <= sequence).Select(r => r.Event), 1e-5).Epsilon;
            Assert.True(Math.Abs(epsilon - expected) <= 1e-12 * expected, $"record {sequence}: the guard reported ε {epsilon:R}, the full recomputation gives {expected:R}");
        }
    }

    [Fact]
    public void Two_processes_racing_for_the_last_of_a_budget_never_both_get_it()
    {
        // The budget fits exactly 12 steps; 9 are spent; two processes then try 5 each, holding the append
        // transaction 30 ms inside the admission check, so without mutual exclusion both would see 9 spent.
        const int allowed = 12, spent = 9;
        var budget = (EpsilonOf(allowed) + EpsilonOf(allowed + 1)) / 2;
        using (var store = Open())
            for (var i = 0; i < spent; i++) store.Append(PendingEvent.NewRelease("dataset-under-test", "earlier", i, BudgetStep));
        string[] budgetArgs = ["--budget-epsilon", budget.ToString("R", CultureInfo.InvariantCulture), "--hold-ms", "30"];
        var outputs = AppenderProcesses.RunTogether(Folder,
            [[.. AppenderLedgerArguments, .. budgetArgs, "run-a", "5"], [.. AppenderLedgerArguments, .. budgetArgs, "run-b", "5"]]);
        var recorded = outputs.Sum(o => int.Parse(o.Trim().Split(' ')[0]["recorded=".Length..], CultureInfo.InvariantCulture));
        Assert.Equal(allowed - spent, recorded);
        Assert.All(outputs, o => Assert.EndsWith("refused=1", o.Trim()));
        using var after = Open();
        var records = after.ReadDataset("dataset-under-test");
        Assert.Equal(allowed, records.Count);
        Assert.True(Rdp.Epsilon(records.Select(r => r.Event), 1e-5).Epsilon <= budget);
        Assert.Equal(LedgerVerification.Ok(allowed), after.Verify());
    }
}
