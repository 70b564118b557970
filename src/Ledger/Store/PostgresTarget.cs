using Npgsql;

namespace Veil.Ledger.Store;

/// <summary>
/// Where a PostgreSQL ledger lives, parsed from its connection string, for messages: host, port, database
/// and user, never the password.
/// </summary>
public sealed record PostgresTarget(string Host, int Port, string Database, string User)
{
    public static PostgresTarget Of(NpgsqlConnectionStringBuilder b) =>
        new(b.Host ?? "localhost", b.Port, b.Database ?? b.Username ?? "(default)", b.Username ?? Environment.UserName);

    public override string ToString() => $"postgres://{User}@{Host}:{Port}/{Database}";

    /// <summary>The connection string with its password replaced, safe to print or log.</summary>
    public static string Mask(string connectionString)
    {
        try
        {
            var b = new NpgsqlConnectionStringBuilder(connectionString);
            if (!string.IsNullOrEmpty(b.Password)) b.Password = "***";
            return b.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(unparseable connection string, not shown: it may hold a password)";
        }
    }
}
