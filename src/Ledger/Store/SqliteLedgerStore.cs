using Microsoft.Data.Sqlite;
using Veil.Ledger.Scopes;

namespace Veil.Ledger.Store;

/// <summary>
/// The embedded ledger: one SQLite file, WAL journal, synchronous=FULL, so a committed append survives
/// power loss. Appends run in BEGIN IMMEDIATE transactions that read the tail and write tail+1, so
/// several processes appending to one file serialise and never fork the chain (the sequence number is
/// also the primary key: a second line of defence).
/// </summary>
public sealed class SqliteLedgerStore : ILedgerStore
{
    private const int SchemaVersion = 1;
    private const string Kind = "veil-privacy-ledger";
    private const string Columns = LedgerRows.Columns;

    private readonly SqliteConnection _connection;
    private long _countedThrough; // every sequence number up to this one was seen present by this connection

    private SqliteLedgerStore(string path, SqliteConnection connection)
    {
        Location = path;
        _connection = connection;
    }

    public string Location { get; }

    /// <summary>Opens (creating if needed) the ledger at <paramref name="path"/>.</summary>
    public static SqliteLedgerStore Open(string path, bool createIfMissing = true)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            if (!createIfMissing) throw new FileNotFoundException($"ledger {full} does not exist (check --ledger / veil.privacy.ledger.path)", full);
            var dir = Path.GetDirectoryName(full)!;
            try
            {
                Directory.CreateDirectory(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new LedgerException($"cannot create the ledger's folder {dir}: {e.Message}; choose a writable veil.privacy.ledger.path", e);
            }
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = createIfMissing ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 60,
        }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA busy_timeout = 60000;");
            Execute(connection, "PRAGMA journal_mode = WAL;");
            Execute(connection, "PRAGMA synchronous = FULL;");
            var store = new SqliteLedgerStore(full, connection);
            store.EnsureSchema();
            return store;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new LedgerException($"cannot open ledger {full}: {e.Message} (is it a Veil ledger, and is the folder writable?)", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public LedgerRecord Append(PendingEvent pending, Func<LedgerHistory, string?>? admit = null)
    {
        var eventJson = Events.DpEventJson.Serialize(pending.Event);
        try
        {
            Execute(_connection, "BEGIN IMMEDIATE;");
        }
        catch (SqliteException e)
        {
            throw new LedgerException($"cannot lock ledger {Location} for writing: {e.Message}", e);
        }
        var committed = false;
        try
        {
            var existing = ReadWhere("release_id = $id", ("$id", pending.ReleaseId));
            if (existing.Count > 0)
            {
                Execute(_connection, "COMMIT;");
                committed = true;
                return ChainVerifier.TryComplete(existing[0]) ?? throw Corrupt($"record {existing[0].Sequence} is unreadable");
            }
            var tail = ReadWhere("seq = (SELECT MAX(seq) FROM ledger)");
            string previousHash = LedgerRecord.GenesisHash;
            long sequence = 1;
            if (tail.Count > 0)
            {
                var last = ChainVerifier.TryComplete(tail[0]);
                if (last is null || RecordHash.Of(last) != last.Hash)
                    throw Corrupt($"its last record ({tail[0].Sequence}) is incomplete or does not match its hash");
                previousHash = last.Hash;
                sequence = last.Sequence + 1;
            }
            var (headSequence, headHash) = ReadHead();
            if (headSequence != sequence - 1 || headHash != previousHash)
                throw Corrupt(
                    $"its head records {headSequence} records ending in {ChainVerifier.ShortHash(headHash)}, but the last record is " +
                    $"{sequence - 1} ending in {ChainVerifier.ShortHash(previousHash)}: records were removed or added behind Veil's back");
            CheckNoneMissing(sequence - 1);
            if (admit is not null)
            {
                // Same connection, same transaction: it sees every commit before the lock, scopes included.
                var history = new LedgerHistory(sequence - 1, ReadAfter, ReadScope);
                if (admit(history) is { } refusal) throw new LedgerAppendRefusedException(refusal);
            }
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var hash = RecordHash.Of(sequence, pending.ReleaseId, pending.DatasetFingerprint, pending.RunId, pending.Step, eventJson, timestamp, previousHash);
            using (var insert = _connection.CreateCommand())
            {
                insert.CommandText = $"INSERT INTO ledger ({Columns}) VALUES ($seq, $rid, $ds, $run, $step, $ev, $ts, $prev, $hash);";
                insert.Parameters.AddWithValue("$seq", sequence);
                insert.Parameters.AddWithValue("$rid", pending.ReleaseId);
                insert.Parameters.AddWithValue("$ds", pending.DatasetFingerprint);
                insert.Parameters.AddWithValue("$run", pending.RunId);
                insert.Parameters.AddWithValue("$step", pending.Step);
                insert.Parameters.AddWithValue("$ev", eventJson);
                insert.Parameters.AddWithValue("$ts", timestamp);
                insert.Parameters.AddWithValue("$prev", previousHash);
                insert.Parameters.AddWithValue("$hash", hash);
                insert.ExecuteNonQuery();
            }
            // The head moves in the same transaction: deleting the newest records would otherwise leave a
            // valid, shorter chain, and the privacy they spent would silently vanish.
            using (var head = _connection.CreateCommand())
            {
                head.CommandText = "UPDATE veil_meta SET value = CASE key WHEN 'head_seq' THEN $seq ELSE $hash END WHERE key IN ('head_seq', 'head_hash');";
                head.Parameters.AddWithValue("$seq", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
                head.Parameters.AddWithValue("$hash", hash);
                head.ExecuteNonQuery();
            }
            Execute(_connection, "COMMIT;"); // synchronous=FULL: durable when this returns
            committed = true;
            return new LedgerRecord(
                sequence, pending.ReleaseId, pending.DatasetFingerprint, pending.RunId, pending.Step, eventJson, timestamp, previousHash, hash);
        }
        catch (SqliteException e)
        {
            throw new LedgerException($"cannot append to ledger {Location}: {e.Message} (disk full, permissions, or a damaged file?)", e);
        }
        finally
        {
            if (!committed) TryRollback();
        }
    }

    public IReadOnlyList<LedgerRecord> ReadAll() => Trusted(ReadWhere("1 = 1"));

    public IReadOnlyList<LedgerRecord> ReadAfter(long afterSequence) => Trusted(ReadWhere("seq > $after", ("$after", afterSequence)));

    public IReadOnlyList<LedgerRecord> ReadDataset(string datasetFingerprint) => ReadDatasetAfter(datasetFingerprint, 0);

    public IReadOnlyList<LedgerRecord> ReadDataset(string datasetFingerprint, long afterSequence) => ReadDatasetAfter(datasetFingerprint, afterSequence);

    private IReadOnlyList<LedgerRecord> ReadDatasetAfter(string datasetFingerprint, long afterSequence) =>
        Trusted(ReadWhere("dataset = $d AND seq > $after", ("$d", datasetFingerprint), ("$after", afterSequence)));

    // Counting every row on every append is O(T). The head pins the chain's length and tail; rows this
    // connection has already counted are not counted again, only the ones committed since (a range of the
    // primary key). A row deleted later from below that mark is still found by Verify's chain walk and by
    // the first append of any newly opened store.
    private void CheckNoneMissing(long headSequence)
    {
        var counted = Interlocked.Read(ref _countedThrough);
        if (counted > headSequence) counted = 0; // the ledger is not the one we counted: count it all
        using (var cmd = _connection.CreateCommand())
        {
            cmd.CommandText = "SELECT COUNT(*) FROM ledger WHERE seq > $after;";
            cmd.Parameters.AddWithValue("$after", counted);
            if (Convert.ToInt64(cmd.ExecuteScalar()) != headSequence - counted)
                throw Corrupt("a record is missing from the middle of the chain");
        }
        Interlocked.Exchange(ref _countedThrough, headSequence);
    }

    public void PutScope(DataScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        try
        {
            // One statement outside any transaction commits on its own (synchronous=FULL: durably).
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "INSERT OR IGNORE INTO scopes (id, count, identities) VALUES ($id, $count, $identities);";
            cmd.Parameters.AddWithValue("$id", scope.Id);
            cmd.Parameters.AddWithValue("$count", scope.Count);
            cmd.Parameters.AddWithValue("$identities", scope.ToBytes());
            cmd.ExecuteNonQuery();
        }
        catch (SqliteException e)
        {
            throw new LedgerException($"cannot store scope {scope.Id} in ledger {Location}: {e.Message} (disk full, permissions, or a damaged file?)", e);
        }
    }

    public DataScope? ReadScope(string id)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT identities FROM scopes WHERE id = $id;";
        cmd.Parameters.AddWithValue("$id", id);
        var value = cmd.ExecuteScalar();
        if (value is null) return null;
        return DataScope.FromBytes(id, value as byte[] ?? throw Corrupt($"scope {id} has no identities"));
    }

    public IReadOnlyList<StoredScope> ReadScopeIds()
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT id, count FROM scopes ORDER BY id;";
        using var reader = cmd.ExecuteReader();
        var scopes = new List<StoredScope>();
        while (reader.Read()) scopes.Add(new StoredScope(reader.GetString(0), reader.IsDBNull(1) ? 0 : reader.GetInt32(1)));
        return scopes;
    }

    public string BindIdentityKey(string checkValue) => BindMeta(IdentityKeyCheck, checkValue);

    public string BindAccountant(string name) => BindMeta(AccountantKey, name);

    public string? BoundAccountant() => Scalar($"SELECT value FROM veil_meta WHERE key = '{AccountantKey}';") as string;

    private const string IdentityKeyCheck = "identity_key_check";
    private const string AccountantKey = "accountant";

    /// <summary>First writer wins: the value stored under <paramref name="key"/>, written now only if there was none.</summary>
    private string BindMeta(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        using (var cmd = _connection.CreateCommand())
        {
            cmd.CommandText = "INSERT OR IGNORE INTO veil_meta (key, value) VALUES ($k, $v);";
            cmd.Parameters.AddWithValue("$k", key);
            cmd.Parameters.AddWithValue("$v", value);
            cmd.ExecuteNonQuery();
        }
        return (string)Scalar($"SELECT value FROM veil_meta WHERE key = '{key}';")!;
    }

    public LedgerVerification Verify()
    {
        try
        {
            // One read transaction, so an append committing meanwhile cannot look like a missing scope.
            Execute(_connection, "BEGIN;");
            try
            {
                var rows = ReadWhere("1 = 1");
                var chain = ChainVerifier.Verify(rows, ReadHead);
                return chain.Valid ? ScopeVerifier.Verify(rows.Select(r => ChainVerifier.TryComplete(r)!).ToList(), ReadRawScopes()) : chain;
            }
            finally
            {
                TryRollback();
            }
        }
        catch (SqliteException e)
        {
            return LedgerVerification.Bad(0, 1, $"the file is damaged: {e.Message}");
        }
    }

    public void Dispose() => _connection.Dispose();

    private IReadOnlyList<LedgerRecord> Trusted(IReadOnlyList<ChainVerifier.RawRow> rows) =>
        rows.Select(r => ChainVerifier.TryComplete(r) ?? throw Corrupt($"record {r.Sequence} is unreadable")).ToList();

    private LedgerException Corrupt(string what) =>
        new(
            $"ledger {Location} is damaged: {what}. Nothing was appended. Run `./run.sh privacy ledger verify --ledger " +
            $"{Location}` to find the first bad record; never delete records to 'fix' it, restore a backup instead.");

    private List<ChainVerifier.RawRow> ReadWhere(string where, params (string Name, object Value)[] parameters)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = $"SELECT {Columns} FROM ledger WHERE {where} ORDER BY seq;";
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        using var reader = cmd.ExecuteReader();
        return LedgerRows.ReadAll(reader);
    }

    private List<ScopeVerifier.RawScope> ReadRawScopes()
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT id, count, identities FROM scopes ORDER BY id;";
        using var reader = cmd.ExecuteReader();
        var scopes = new List<ScopeVerifier.RawScope>();
        while (reader.Read())
            scopes.Add(
                new ScopeVerifier.RawScope(
                    reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : (byte[])reader.GetValue(2)));
        return scopes;
    }

    private void EnsureSchema()
    {
        Execute(_connection, "BEGIN IMMEDIATE;");
        try
        {
            Execute(_connection, "CREATE TABLE IF NOT EXISTS veil_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);");
            var kind = Scalar("SELECT value FROM veil_meta WHERE key = 'kind';");
            var version = Scalar("SELECT value FROM veil_meta WHERE key = 'schema_version';");
            var tables = Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT IN ('veil_meta', 'ledger', 'scopes');");
            if (kind is null)
            {
                if (tables is not null && Convert.ToInt64(tables) > 0)
                    throw new LedgerException(
                        $"{Location} is a SQLite database but not a Veil ledger; point veil.privacy.ledger.path / --ledger at a ledger file or a new path");
                Execute(
                    _connection,
                    $"INSERT INTO veil_meta VALUES ('kind', '{Kind}'), ('schema_version', " +
                    $"'{SchemaVersion}'), ('head_seq', '0'), ('head_hash', '{LedgerRecord.GenesisHash}');");
            }
            else if ((string)kind != Kind)
                throw new LedgerException($"{Location} is not a Veil ledger (kind '{kind}')");
            else if (version is null || int.Parse((string)version) > SchemaVersion)
                throw new LedgerException($"{Location} has ledger schema version {version}; this Veil reads up to {SchemaVersion}: upgrade Veil");
            // Columns are nullable on purpose: a damaged row must be readable so Verify can name it, not hide it.
            Execute(
                _connection,
                $"CREATE TABLE IF NOT EXISTS ledger (seq INTEGER PRIMARY KEY, release_id TEXT UNIQUE, " +
                $"dataset TEXT, run_id TEXT, step INTEGER, event TEXT, ts_ms INTEGER, prev_hash TEXT, hash TEXT);");
            Execute(_connection, "CREATE INDEX IF NOT EXISTS ledger_dataset ON ledger (dataset, seq);");
            // Added without a version bump: a ledger written before scopes existed gains the table and reads unchanged.
            Execute(_connection, "CREATE TABLE IF NOT EXISTS scopes (id TEXT PRIMARY KEY, count INTEGER, identities BLOB);");
            Execute(_connection, "COMMIT;");
        }
        catch
        {
            TryRollback();
            throw;
        }
    }

    private (long Sequence, string Hash) ReadHead()
    {
        var sequence = Scalar("SELECT value FROM veil_meta WHERE key = 'head_seq';") as string;
        var hash = Scalar("SELECT value FROM veil_meta WHERE key = 'head_hash';") as string;
        if (sequence is null || hash is null || !long.TryParse(sequence, out var n)) throw Corrupt("its head (last sequence number and hash) is missing");
        return (n, hash);
    }


    private object? Scalar(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        var value = cmd.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    private void TryRollback()
    {
        try
        {
            Execute(_connection, "ROLLBACK;");
        }
        catch (SqliteException)
        {
            // No transaction open (it failed to start or already ended): nothing to undo.
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
