namespace Veil.Actors.Configuration;

/// <summary>The values of veil.privacy.ledger.backend.</summary>
public static class LedgerBackends
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public static IReadOnlyList<string> All { get; } = [Sqlite, Postgres];
}
