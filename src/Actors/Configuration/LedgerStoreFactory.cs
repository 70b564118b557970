using Npgsql;
using Veil.Ledger.Store;

namespace Veil.Actors.Configuration;

/// <summary>
/// The one place that turns settings into a ledger store: every command that spends or reads privacy
/// (train, resume, privacy ledger verify|show, chaos) opens its ledger here, so a new backend is one case.
/// </summary>
public static class LedgerStoreFactory
{
    /// <summary>Opens the configured ledger; <paramref name="createIfMissing"/> false for readers, which must not create one.</summary>
    public static ILedgerStore Open(PrivacySettings p, bool createIfMissing = true) => Backend(p) switch
    {
        LedgerBackends.Postgres => PostgresLedgerStore.Open(p.LedgerConnectionString, createIfMissing),
        _ => OpenSqlite(p.LedgerPath, createIfMissing),
    };

    public static ILedgerStore OpenSqlite(string path, bool createIfMissing = true) => SqliteLedgerStore.Open(path, createIfMissing);

    /// <summary>Where the ledger is, for messages and run files: the file's full path, or postgres://user@host:port/db (never a password).</summary>
    public static string Describe(PrivacySettings p) => Backend(p) switch
    {
        LedgerBackends.Postgres => Target(p.LedgerConnectionString),
        _ => Path.GetFullPath(p.LedgerPath),
    };

    /// <summary>
    /// The example identity key of the configured ledger: veil.privacy.ledger.identity-key, or beside the SQLite
    /// file, or (PostgreSQL) under the runs folder.
    /// </summary>
    public static string IdentityKeyPath(PrivacySettings p, string runDirectory) =>
        !string.IsNullOrWhiteSpace(p.IdentityKey) ? Path.GetFullPath(p.IdentityKey)
        : Backend(p) == LedgerBackends.Postgres ? Path.GetFullPath(Path.Combine(runDirectory, "postgres-ledger.identity-key"))
        : Path.GetFullPath(p.LedgerPath) + ".identity-key";

    /// <summary>
    /// The settings as they may be written to a run folder, and the password kept apart (for secrets/):
    /// a connection string's password never lands in settings.json.
    /// </summary>
    public static (PrivacySettings Shareable, string? Password) SplitPassword(PrivacySettings p)
    {
        if (Backend(p) != LedgerBackends.Postgres) return (p, null);
        var b = Builder(p.LedgerConnectionString);
        var password = b.Password;
        if (string.IsNullOrEmpty(password)) return (p, null);
        b.Password = null;
        return (p with { LedgerConnectionString = b.ConnectionString }, password);
    }

    /// <summary>Puts a password kept apart by <see cref="SplitPassword"/> back into the connection string.</summary>
    public static PrivacySettings WithPassword(PrivacySettings p, string password) =>
        p with { LedgerConnectionString = new NpgsqlConnectionStringBuilder(p.LedgerConnectionString) { Password = password }.ConnectionString };

    // Run folders written before the postgres backend have no backend field: they are SQLite.
    private static string Backend(PrivacySettings p) => p.LedgerBackend ?? LedgerBackends.Sqlite;

    private static string Target(string connectionString) => PostgresTarget.Of(Builder(connectionString)).ToString();

    private static NpgsqlConnectionStringBuilder Builder(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(
                $"veil.privacy.ledger.connection-string is not a valid PostgreSQL connection string ({e.Message}); " +
                $"expected e.g. \"Host=127.0.0.1;Port=5432;Database=veil;Username=veil\"");
        }
    }
}
