using Akka.Configuration;
using Veil.Ledger.Accountants;

namespace Veil.Actors.Configuration;

/// <summary>`veil.privacy.*`, read and validated once.</summary>
public sealed record PrivacySettings(string Accountant, double BudgetEpsilon, double BudgetDelta, string LedgerPath)
{
    public static PrivacySettings Create(Config config) => new(
        ConfigReading.OneOf(config, "veil.privacy.accountant", AccountantCatalog.Names),
        ConfigReading.Double(config, "veil.privacy.budget.epsilon", v => v > 0 && double.IsFinite(v), "(0, ∞)"),
        ConfigReading.Double(config, "veil.privacy.budget.delta", v => v is > 0 and < 1, "(0, 1)"),
        ConfigReading.NonEmpty(config, "veil.privacy.ledger.path"));
}
