using System.Net.Sockets;
using Npgsql;

namespace Veil.Ledger.Store;

/// <summary>Turns Npgsql's failures to connect into errors that name the server and the fix (never the password).</summary>
internal static class PostgresErrors
{
    private const string Key = "veil.privacy.ledger.connection-string";

    public static LedgerException Connecting(PostgresTarget t, Exception e) => e switch
    {
        PostgresException { SqlState: "28P01" or "28000" } p =>
            new LedgerException(
                $"the PostgreSQL server at {t.Host}:{t.Port} refused user '{t.User}' ({p.MessageText}); " +
                $"check Username and Password in {Key} (or the server's pg_hba.conf)", e),
        PostgresException { SqlState: "3D000" } =>
            new LedgerException(
                $"database '{t.Database}' does not exist on the PostgreSQL server at {t.Host}:{t.Port}; " +
                $"create it (createdb {t.Database}) or fix Database in {Key}", e),
        PostgresException p =>
            new LedgerException(
                $"the PostgreSQL server at {t.Host}:{t.Port} refused the ledger connection to {t}: {p.SqlState} {p.MessageText}; check {Key}", e),
        _ when Find<SocketException>(e) is { } s =>
            new LedgerException(
                $"cannot reach the PostgreSQL ledger server at {t.Host}:{t.Port} ({s.SocketErrorCode}: " +
                $"{s.Message}); start the server or fix Host and Port in {Key}", e),
        _ when Find<TimeoutException>(e) is not null =>
            new LedgerException(
                $"timed out connecting to the PostgreSQL ledger server at {t.Host}:{t.Port}; " +
                $"is it running and reachable (firewall)? Fix Host, Port or Timeout in {Key}", e),
        _ => new LedgerException($"cannot connect to the PostgreSQL ledger {t}: {e.Message}; check {Key} and that the server is running", e),
    };

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }
}
