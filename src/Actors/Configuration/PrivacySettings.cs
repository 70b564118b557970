using System.Text.Json.Serialization;
using Akka.Configuration;
using Veil.Ledger.Plan;

namespace Veil.Actors.Configuration;

/// <summary>
/// `veil.privacy.*`, read and validated once. The ledger is a SQLite file (<see cref="LedgerPath"/>) or,
/// with backend postgres, a PostgreSQL database (<see cref="LedgerConnectionString"/>); open it with
/// <see cref="LedgerStoreFactory"/>. <see cref="Unit"/> says what a guarantee protects (an example, or a user with all of their
/// examples: then a sampled user brings at most <see cref="ExamplesPerUser"/> examples).
/// </summary>
public sealed record PrivacySettings(string Accountant, double BudgetEpsilon, double BudgetDelta, string LedgerPath,
    string LedgerBackend = LedgerBackends.Sqlite, string LedgerConnectionString = "", string IdentityKey = "",
    [property: JsonConverter(typeof(JsonStringEnumConverter))] PrivacyUnit Unit = PrivacyUnit.Example, int ExamplesPerUser = 10)
{
    public static readonly IReadOnlyList<(string Word, PrivacyUnit Value)> Units = [("example", PrivacyUnit.Example), ("user", PrivacyUnit.User)];

    public static PrivacySettings Create(Config config)
    {
        var backend = ConfigReading.OneOf(config, "veil.privacy.ledger.backend", LedgerBackends.All);
        var connectionString = config.GetString("veil.privacy.ledger.connection-string") ?? "";
        if (backend == LedgerBackends.Postgres && string.IsNullOrWhiteSpace(connectionString))
            throw new ConfigurationException(
                "veil.privacy.ledger.backend = postgres but veil.privacy.ledger.connection-string is empty; expected e.g. " +
                "\"Host=127.0.0.1;Port=5432;Database=veil;Username=veil\" (keep the password in PGPASSWORD or ~/.pgpass)");
        return new(
            ConfigReading.OneOf(config, "veil.privacy.accountant", PrivateRuns.LedgerAccountant.Choices),
            ConfigReading.Double(config, "veil.privacy.budget.epsilon", v => v > 0 && double.IsFinite(v), "(0, ∞)"),
            ConfigReading.Double(config, "veil.privacy.budget.delta", v => v is > 0 and < 1, "(0, 1)"),
            ConfigReading.NonEmpty(config, "veil.privacy.ledger.path"),
            backend,
            connectionString,
            config.GetString("veil.privacy.ledger.identity-key") ?? "",
            ConfigChoice.Read(config, "veil.privacy.unit", Units),
            (int)ConfigReading.Double(config, "veil.privacy.examples-per-user", v => v >= 1 && v <= 1 << 20 && v == Math.Floor(v),
                "integers [1, 1048576] (a sampled user brings at most this many examples; 0 would make every user contribute nothing)"));
    }
}
