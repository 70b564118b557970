namespace Veil.Ledger.Accountants;

/// <summary>The accountants a user can name (CLI `--accountant`, HOCON `veil.privacy.accountant`).</summary>
public static class AccountantCatalog
{
    public static IReadOnlyList<string> Names { get; } = ["rdp", "pld"];

    public static IPrivacyAccountant Create(string name) => name switch
    {
        "rdp" => new RdpAccountant(),
        "pld" => new PldAccountant(),
        _ => throw new ArgumentException($"unknown accountant \"{name}\"; valid: {string.Join(", ", Names)}", nameof(name)),
    };
}
