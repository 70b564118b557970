using Veil.Ledger.Scopes;

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
    /// committed record (by all processes) and the stored scopes through <see cref="LedgerHistory"/>: if
    /// it returns a refusal, nothing is written and <see cref="LedgerAppendRefusedException"/> is thrown.
    /// It may run more than once (a store may retry a transaction), so it must not change anything that
    /// outlives the call. A release id already present returns the existing record without calling it
    /// (a retried append is not a second release).
    /// </summary>
    LedgerRecord Append(PendingEvent pending, Func<LedgerHistory, string?>? admit = null);

    /// <summary>Every record, in sequence order.</summary>
    IReadOnlyList<LedgerRecord> ReadAll();

    /// <summary>
    /// The records with a sequence number above <paramref name="afterSequence"/>, in order. Appends commit in
    /// sequence order, so once a record is visible every earlier one is too.
    /// </summary>
    IReadOnlyList<LedgerRecord> ReadAfter(long afterSequence);

    /// <summary>Every record of one dataset (all runs), in sequence order.</summary>
    IReadOnlyList<LedgerRecord> ReadDataset(string datasetFingerprint);

    /// <summary>
    /// The dataset's records with a sequence number above <paramref name="afterSequence"/>, in order. Appends
    /// commit in sequence order, so once a record is visible every earlier one is too: a summary up to the
    /// last record read stays complete.
    /// </summary>
    IReadOnlyList<LedgerRecord> ReadDataset(string datasetFingerprint, long afterSequence);

    /// <summary>
    /// Stores a scope, durably and in its own transaction, before any record names it; storing one that is
    /// already there does nothing (scopes are content-addressed, so the same id is the same set).
    /// </summary>
    void PutScope(DataScope scope);

    /// <summary>The stored scope with this id (checked against it), or null if none is stored.</summary>
    DataScope? ReadScope(string id);

    /// <summary>Every stored scope's id and size, by id.</summary>
    IReadOnlyList<StoredScope> ReadScopeIds();

    /// <summary>
    /// Stores the example identity key's check value if the ledger has none yet, and returns the one stored:
    /// a caller whose key gives another value must refuse (<see cref="ExampleIdentityKey.RequireMatches"/>).
    /// </summary>
    string BindIdentityKey(string checkValue);

    /// <summary>
    /// Stores the name of the accountant that composes this ledger's events if it has none yet, and returns the one
    /// stored: every budget check and every ε of the ledger uses it, whatever a later run asks for.
    /// </summary>
    string BindAccountant(string name);

    /// <summary>The accountant bound to this ledger, or null if none is yet (a new ledger, or one written before ledgers named one).</summary>
    string? BoundAccountant();

    /// <summary>
    /// Walks the whole chain and reports the first bad record; never repairs or drops anything. Also checks
    /// every stored scope against its id, and that every scope a record names is stored.
    /// </summary>
    LedgerVerification Verify();
}
