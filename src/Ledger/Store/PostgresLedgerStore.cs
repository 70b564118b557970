using System.Data;
using System.Globalization;
using Npgsql;
using Veil.Ledger.Scopes;

namespace Veil.Ledger.Store;

/// <summary>
/// The server ledger, for when the process that spends privacy may move between machines (a cluster
/// singleton handing over). Same records, hash chain (<see cref="RecordHash"/>), head row and release-id
/// idempotency as <see cref="SqliteLedgerStore"/>. An append first takes a row lock on the head
/// (<c>SELECT … FOR UPDATE</c> on veil_meta's head_seq): every appender, in any process on any machine,
/// queues there, and at READ COMMITTED each statement after the lock sees everything committed before it,
/// so the budget check, the tail read and the insert act on the whole ledger and two appenders can never
/// both take the last of a budget, fork the chain or skip a number. Every connection runs with
/// synchronous_commit = on, so a commit returns only once its WAL is flushed (and, with synchronous
/// standbys, confirmed by them).
/// </summary>
public sealed class PostgresLedgerStore : ILedgerStore
{
    private const int SchemaVersion = 1;
    private const string Kind = "veil-privacy-ledger";
    private const string Columns = LedgerRows.Columns;
    // Serialises schema creation between processes opening a new database at once (pg_advisory_xact_lock key).
    private const long SchemaLockKey = 0x7665696c_6c656467; // "veilledg"
    private const int Attempts = 3;

    private readonly NpgsqlDataSource _source;
    private readonly PostgresTarget _target;
    private long _countedThrough; // every sequence number up to this one was seen present by this store

    private PostgresLedgerStore(NpgsqlDataSource source, PostgresTarget target)
    {
        _source = source;
        _target = target;
    }

    /// <summary>Where the ledger lives, without the password.</summary>
    public string Location => _target.ToString();

    /// <summary>
    /// Connects and checks (creating on first use, unless <paramref name="createIfMissing"/> is false) the
    /// ledger schema in the connection's database and current schema.
    /// </summary>
    public static PostgresLedgerStore Open(string connectionString, bool createIfMissing = true)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new LedgerException(
                $"veil.privacy.ledger.connection-string is not a valid PostgreSQL connection string ({e.Message}); " +
                $"expected e.g. \"Host=127.0.0.1;Port=5432;Database=veil;Username=veil;Password=…\"", e);
        }
        // Durability is the store's promise, not the server's default: pin it for every connection.
        builder.Options = string.Join(' ', new[] { builder.Options, "-c synchronous_commit=on" }.Where(o => !string.IsNullOrWhiteSpace(o)));
        var store = new PostgresLedgerStore(NpgsqlDataSource.Create(builder), PostgresTarget.Of(builder));
        try
        {
            store.EnsureSchema(createIfMissing);
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public LedgerRecord Append(PendingEvent pending, Func<LedgerHistory, string?>? admit = null)
    {
        var eventJson = Events.DpEventJson.Serialize(pending.Event);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return AppendOnce(pending, eventJson, admit);
            }
            // A dropped connection or a deadlock: retrying is safe, since a release that did commit is found by its id.
            catch (NpgsqlException e) when (e.IsTransient && attempt < Attempts)
            {
                Thread.Sleep(100 * attempt);
            }
            catch (NpgsqlException e)
            {
                throw new LedgerException(
                    $"cannot append to ledger {Location}: {Describe(e)} (server down, disk full, or permissions?); the release was not used", e);
            }
        }
    }

    public IReadOnlyList<LedgerRecord> ReadAll() => Read(c => Trusted(ReadWhere(c, null, "TRUE")));

    public IReadOnlyList<LedgerRecord> ReadAfter(long afterSequence) => Read(c => Trusted(ReadWhere(c, null, "seq > @after", ("after", afterSequence))));

    public IReadOnlyList<LedgerRecord> ReadDataset(string datasetFingerprint) => ReadDataset(datasetFingerprint, 0);

    public IReadOnlyList<LedgerRecord> ReadDataset(string datasetFingerprint, long afterSequence) =>
        Read(c => ReadDatasetAfter(c, null, datasetFingerprint, afterSequence));

    private IReadOnlyList<LedgerRecord> ReadDatasetAfter(NpgsqlConnection c, NpgsqlTransaction? tx, string datasetFingerprint, long afterSequence) =>
        Trusted(ReadWhere(c, tx, "dataset = @d AND seq > @after", ("d", datasetFingerprint), ("after", afterSequence)));

    // Counting every row on every append is O(T) (and a sequential scan on a server). The head pins the
    // chain's length and tail; rows this store has already counted are not counted again, only the ones
    // committed since (a primary-key range). A row deleted later from below that mark is still found by
    // Verify's chain walk and by the first append of any newly opened store.
    private void CheckNoneMissing(NpgsqlConnection c, NpgsqlTransaction tx, long headSequence)
    {
        var counted = Interlocked.Read(ref _countedThrough);
        if (counted > headSequence) counted = 0; // the ledger is not the one we counted: count it all
        using (var cmd = new NpgsqlCommand("SELECT COUNT(*) FROM ledger WHERE seq > @after", c, tx))
        {
            cmd.Parameters.AddWithValue("after", counted);
            if (Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) != headSequence - counted)
                throw Corrupt("a record is missing from the middle of the chain");
        }
        Interlocked.Exchange(ref _countedThrough, headSequence);
    }

    public void PutScope(DataScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        Read(c =>
        {
            // One statement commits on its own (synchronous_commit = on: durably).
            using var cmd = new NpgsqlCommand("INSERT INTO scopes (id, count, identities) VALUES (@id, @count, @identities) ON CONFLICT (id) DO NOTHING", c);
            cmd.Parameters.AddWithValue("id", scope.Id);
            cmd.Parameters.AddWithValue("count", scope.Count);
            cmd.Parameters.AddWithValue("identities", scope.ToBytes());
            return cmd.ExecuteNonQuery();
        });
    }

    public DataScope? ReadScope(string id) => Read(c => ReadScope(c, null, id));

    public IReadOnlyList<StoredScope> ReadScopeIds() => Read(c =>
    {
        using var cmd = new NpgsqlCommand("SELECT id, count FROM scopes ORDER BY id", c);
        using var reader = cmd.ExecuteReader();
        var scopes = new List<StoredScope>();
        while (reader.Read()) scopes.Add(new StoredScope(reader.GetString(0), reader.IsDBNull(1) ? 0 : checked((int)reader.GetInt64(1))));
        return scopes;
    });

    public string BindIdentityKey(string checkValue) => BindMeta(IdentityKeyCheck, checkValue);

    public string BindAccountant(string name) => BindMeta(AccountantKey, name);

    public string? BoundAccountant() => Read(c =>
    {
        using var select = new NpgsqlCommand($"SELECT value FROM veil_meta WHERE key = '{AccountantKey}'", c);
        return select.ExecuteScalar() as string;
    });

    private const string IdentityKeyCheck = "identity_key_check";
    private const string AccountantKey = "accountant";

    /// <summary>First writer wins, across processes: the value stored under <paramref name="key"/>, written now only if there was none.</summary>
    private string BindMeta(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return Read(c =>
        {
            using (var insert = new NpgsqlCommand("INSERT INTO veil_meta (key, value) VALUES (@k, @v) ON CONFLICT (key) DO NOTHING", c))
            {
                insert.Parameters.AddWithValue("k", key);
                insert.Parameters.AddWithValue("v", value);
                insert.ExecuteNonQuery();
            }
            using var select = new NpgsqlCommand("SELECT value FROM veil_meta WHERE key = @k", c);
            select.Parameters.AddWithValue("k", key);
            return (string)select.ExecuteScalar()!;
        });
    }

    public LedgerVerification Verify()
    {
        using var c = Connect();
        // One snapshot for rows, head and scopes, so an append committing meanwhile cannot look like a mismatch.
        using var tx = c.BeginTransaction(IsolationLevel.RepeatableRead);
        try
        {
            var rows = ReadWhere(c, tx, "TRUE");
            var chain = ChainVerifier.Verify(rows, () => ReadHead(c, tx, forUpdate: false));
            return chain.Valid ? ScopeVerifier.Verify(rows.Select(r => ChainVerifier.TryComplete(r)!).ToList(), ReadRawScopes(c, tx)) : chain;
        }
        catch (PostgresException e)
        {
            return LedgerVerification.Bad(0, 1, $"the ledger tables are damaged: {e.SqlState} {e.MessageText}");
        }
    }

    public void Dispose() => _source.Dispose();

    private LedgerRecord AppendOnce(PendingEvent pending, string eventJson, Func<LedgerHistory, string?>? admit)
    {
        using var c = Connect();
        using var tx = c.BeginTransaction(IsolationLevel.ReadCommitted);
        // The lock comes first: everything below sees the ledger as the previous appender left it.
        var (headSequence, headHash) = ReadHead(c, tx, forUpdate: true);
        var existing = ReadWhere(c, tx, "release_id = @id", ("id", pending.ReleaseId));
        if (existing.Count > 0)
        {
            tx.Commit();
            return ChainVerifier.TryComplete(existing[0]) ?? throw Corrupt($"record {existing[0].Sequence} is unreadable");
        }
        var tail = ReadWhere(c, tx, "seq = (SELECT MAX(seq) FROM ledger)");
        var previousHash = LedgerRecord.GenesisHash;
        long sequence = 1;
        if (tail.Count > 0)
        {
            var last = ChainVerifier.TryComplete(tail[0]);
            if (last is null || RecordHash.Of(last) != last.Hash)
                throw Corrupt($"its last record ({tail[0].Sequence}) is incomplete or does not match its hash");
            previousHash = last.Hash;
            sequence = last.Sequence + 1;
        }
        if (headSequence != sequence - 1 || headHash != previousHash)
            throw Corrupt(
                $"its head records {headSequence} records ending in {ChainVerifier.ShortHash(headHash)}, but the last record is " +
                $"{sequence - 1} ending in {ChainVerifier.ShortHash(previousHash)}: records were removed or added behind Veil's back");
        CheckNoneMissing(c, tx, sequence - 1);
        if (admit is not null)
        {
            // READ COMMITTED: each read sees every commit before it, so scopes stored by other processes too.
            var history = new LedgerHistory(sequence - 1, after => Trusted(ReadWhere(c, tx, "seq > @after", ("after", after))), id => ReadScope(c, tx, id));
            if (admit(history) is { } refusal) throw new LedgerAppendRefusedException(refusal); // disposing tx rolls back
        }
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var hash = RecordHash.Of(sequence, pending.ReleaseId, pending.DatasetFingerprint, pending.RunId, pending.Step, eventJson, timestamp, previousHash);
        using (var insert = new NpgsqlCommand($"INSERT INTO ledger ({Columns}) VALUES (@seq, @rid, @ds, @run, @step, @ev, @ts, @prev, @hash)", c, tx))
        {
            insert.Parameters.AddWithValue("seq", sequence);
            insert.Parameters.AddWithValue("rid", pending.ReleaseId);
            insert.Parameters.AddWithValue("ds", pending.DatasetFingerprint);
            insert.Parameters.AddWithValue("run", pending.RunId);
            insert.Parameters.AddWithValue("step", pending.Step);
            insert.Parameters.AddWithValue("ev", eventJson);
            insert.Parameters.AddWithValue("ts", timestamp);
            insert.Parameters.AddWithValue("prev", previousHash);
            insert.Parameters.AddWithValue("hash", hash);
            insert.ExecuteNonQuery();
        }
        // The head moves in the same transaction: deleting the newest records would otherwise leave a
        // valid, shorter chain, and the privacy they spent would silently vanish.
        using (var head = new NpgsqlCommand(
                   "UPDATE veil_meta SET value = CASE key WHEN 'head_seq' THEN @seq ELSE @hash END WHERE key IN ('head_seq', 'head_hash')", c, tx))
        {
            head.Parameters.AddWithValue("seq", sequence.ToString(CultureInfo.InvariantCulture));
            head.Parameters.AddWithValue("hash", hash);
            head.ExecuteNonQuery();
        }
        tx.Commit(); // synchronous_commit = on: durable when this returns
        return new LedgerRecord(sequence, pending.ReleaseId, pending.DatasetFingerprint, pending.RunId, pending.Step, eventJson, timestamp, previousHash, hash);
    }

    private void EnsureSchema(bool createIfMissing)
    {
        using var c = Connect();
        using var tx = c.BeginTransaction();
        try
        {
            Scalar(c, tx, $"SELECT pg_advisory_xact_lock({SchemaLockKey})");
            var schema = (string)Scalar(c, tx, "SELECT current_schema()")!;
            var hasMeta = (bool)Scalar(c, tx, "SELECT to_regclass('veil_meta') IS NOT NULL")!;
            if (!hasMeta)
            {
                var others = new List<string>();
                using (var cmd = new NpgsqlCommand(
                           "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() " +
                           "AND table_name NOT IN ('veil_meta', 'ledger', 'scopes') ORDER BY 1 LIMIT 5", c, tx))
                using (var reader = cmd.ExecuteReader())
                    while (reader.Read()) others.Add(reader.GetString(0));
                if (others.Count > 0)
                    throw new LedgerException(
                        $"{Location} (schema {schema}) holds other tables ({string.Join(", ", others)}) but no Veil ledger; " +
                        $"point veil.privacy.ledger.connection-string at an empty database (or set Search Path to an empty schema)");
                if (!createIfMissing)
                    throw new LedgerException(
                        $"{Location} (schema {schema}) holds no Veil ledger; check Database and Search Path in veil.privacy.ledger.connection-string");
                Execute(c, tx, "CREATE TABLE veil_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
                Execute(
                    c, tx,
                    $"INSERT INTO veil_meta VALUES ('kind', '{Kind}'), ('schema_version', " +
                    $"'{SchemaVersion}'), ('head_seq', '0'), ('head_hash', '{LedgerRecord.GenesisHash}')");
            }
            else
            {
                var kind = Scalar(c, tx, "SELECT value FROM veil_meta WHERE key = 'kind'") as string;
                var version = Scalar(c, tx, "SELECT value FROM veil_meta WHERE key = 'schema_version'") as string;
                if (kind != Kind)
                    throw new LedgerException(
                        $"{Location} (schema {schema}) has a veil_meta table that is not a Veil ledger's " +
                        $"(kind '{kind}'); point veil.privacy.ledger.connection-string elsewhere");
                if (version is null || !int.TryParse(version, CultureInfo.InvariantCulture, out var v) || v > SchemaVersion)
                    throw new LedgerException($"{Location} has ledger schema version {version}; this Veil reads up to {SchemaVersion}: upgrade Veil");
            }
            // Columns are nullable on purpose: a damaged row must be readable so Verify can name it, not hide it.
            Execute(
                c, tx,
                "CREATE TABLE IF NOT EXISTS ledger (seq BIGINT PRIMARY KEY, release_id TEXT UNIQUE, " +
                "dataset TEXT, run_id TEXT, step BIGINT, event TEXT, ts_ms BIGINT, prev_hash TEXT, hash TEXT)");
            Execute(c, tx, "CREATE INDEX IF NOT EXISTS ledger_dataset ON ledger (dataset, seq)");
            // Added without a version bump: a ledger written before scopes existed gains the table and reads unchanged.
            Execute(c, tx, "CREATE TABLE IF NOT EXISTS scopes (id TEXT PRIMARY KEY, count BIGINT, identities BYTEA)");
            tx.Commit();
        }
        catch (PostgresException e)
        {
            throw new LedgerException($"cannot open the ledger in {Location}: {e.SqlState} {e.MessageText} (may this user create tables there?)", e);
        }
    }

    private DataScope? ReadScope(NpgsqlConnection c, NpgsqlTransaction? tx, string id)
    {
        using var cmd = new NpgsqlCommand("SELECT identities FROM scopes WHERE id = @id", c, tx);
        cmd.Parameters.AddWithValue("id", id);
        var value = cmd.ExecuteScalar();
        if (value is null) return null;
        return DataScope.FromBytes(id, value as byte[] ?? throw Corrupt($"scope {id} has no identities"));
    }

    private static List<ScopeVerifier.RawScope> ReadRawScopes(NpgsqlConnection c, NpgsqlTransaction tx)
    {
        using var cmd = new NpgsqlCommand("SELECT id, count, identities FROM scopes ORDER BY id", c, tx);
        using var reader = cmd.ExecuteReader();
        var scopes = new List<ScopeVerifier.RawScope>();
        while (reader.Read())
            scopes.Add(
                new ScopeVerifier.RawScope(
                    reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : (byte[])reader.GetValue(2)));
        return scopes;
    }

    private NpgsqlConnection Connect()
    {
        var c = _source.CreateConnection();
        try
        {
            c.Open();
            return c;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            c.Dispose();
            throw PostgresErrors.Connecting(_target, e);
        }
    }

    private T Read<T>(Func<NpgsqlConnection, T> read)
    {
        using var c = Connect();
        try
        {
            return read(c);
        }
        catch (NpgsqlException e)
        {
            throw new LedgerException($"cannot read ledger {Location}: {Describe(e)}", e);
        }
    }

    private IReadOnlyList<LedgerRecord> Trusted(IReadOnlyList<ChainVerifier.RawRow> rows) =>
        rows.Select(r => ChainVerifier.TryComplete(r) ?? throw Corrupt($"record {r.Sequence} is unreadable")).ToList();

    private LedgerException Corrupt(string what) =>
        new(
            $"ledger {Location} is damaged: {what}. Nothing was appended. Run `./run.sh privacy ledger verify` " +
            $"against it to find the first bad record; never delete records to 'fix' it, restore a backup instead.");

    private (long Sequence, string Hash) ReadHead(NpgsqlConnection c, NpgsqlTransaction tx, bool forUpdate)
    {
        string? sequence = null, hash = null;
        using (var cmd = new NpgsqlCommand($"SELECT key, value FROM veil_meta WHERE key IN ('head_seq', 'head_hash'){(forUpdate ? " FOR UPDATE" : "")}", c, tx))
        using (var reader = cmd.ExecuteReader())
            while (reader.Read())
                if (reader.GetString(0) == "head_seq") sequence = reader.GetString(1);
                else hash = reader.GetString(1);
        if (sequence is null || hash is null || !long.TryParse(sequence, CultureInfo.InvariantCulture, out var n))
            throw Corrupt("its head (last sequence number and hash) is missing");
        return (n, hash);
    }

    private static List<ChainVerifier.RawRow> ReadWhere(
        NpgsqlConnection c, NpgsqlTransaction? tx, string where, params (string Name, object Value)[] parameters)
    {
        using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM ledger WHERE {where} ORDER BY seq", c, tx);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        using var reader = cmd.ExecuteReader();
        return LedgerRows.ReadAll(reader);
    }

    private static string Describe(NpgsqlException e) => e is PostgresException p ? $"{p.SqlState} {p.MessageText}" : e.Message;


    private static object? Scalar(NpgsqlConnection c, NpgsqlTransaction tx, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, c, tx);
        var value = cmd.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    private static void Execute(NpgsqlConnection c, NpgsqlTransaction tx, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, c, tx);
        cmd.ExecuteNonQuery();
    }
}
