namespace Veil.Ledger.Store;

/// <summary>
/// An append-only, hash-chained store of privacy events. Implementations (embedded SQLite; a server
/// database for clusters) differ only in storage: the record layout and hash (<see cref="RecordHash"/>)
/// are shared, so callers never change.
/// </summary>
public interface ILedgerStore : IDisposable
{
    /// <summary>Where the ledger lives (file path or connection description), for messages.</summary>
    string Location { get; }

    /// <summary>
    /// Appends the event durably and returns the committed record; returns only after the write is
    /// durable. <paramref name="admit"/> runs inside the same exclusive transaction, seeing every
    /// committed record of the event's dataset (by all processes): if it returns a refusal, nothing is
    /// written and <see cref="LedgerAppendRefusedException"/> is thrown. A release id already present
    /// returns the existing record (a retried append is not a second release).
    /// </summary>
    LedgerRecord Append(PendingEvent pending, Func<IReadOnlyList<LedgerRecord>, string?>? admit = null);

    /// <summary>Every record, in sequence order.</summary>
    IReadOnlyList<LedgerRecord> ReadAll();

    /// <summary>Every record of one dataset (all runs), in sequence order.</summary>
    IReadOnlyList<LedgerRecord> ReadDataset(string datasetFingerprint);

    /// <summary>Walks the whole chain and reports the first bad record; never repairs or drops anything.</summary>
    LedgerVerification Verify();
}
