using Veil.Actors.Configuration;
using Veil.Actors.Training;
using Veil.Ledger.Accountants;
using Veil.Ledger.Store;

namespace Veil.Actors.PrivateRuns;

/// <summary>
/// The accountant is a property of the ledger, not of a run: the first run that opens a ledger binds it (its
/// veil.privacy.accountant, or rdp for "ledger"), and from then on every budget check, every calibration and every ε
/// of that ledger composes its events with the same accountant. A run that names another one is refused, so two runs
/// on the same examples can never be judged by different analyses, and a report never mixes them.
/// </summary>
public static class LedgerAccountant
{
    /// <summary>veil.privacy.accountant's value for "whatever the ledger composes with".</summary>
    public const string FromLedger = "ledger";

    /// <summary>What a new (or not yet bound) ledger composes with when a run asks for <see cref="FromLedger"/>.</summary>
    public const string ForNewLedger = "rdp";

    public static IReadOnlyList<string> Choices { get; } = [FromLedger, .. AccountantCatalog.Names];

    /// <summary>
    /// The settings with their accountant resolved against the ledger they will open (read, never created or bound
    /// here), so that a plan is calibrated with the accountant that will judge it. Opening binds it.
    /// </summary>
    public static PrivacySettings Pin(PrivacySettings privacy, string? ledgerOverride)
    {
        ArgumentNullException.ThrowIfNull(privacy);
        var target = PrivateRun.Normalise(privacy, ledgerOverride);
        return privacy with { Accountant = Resolve(privacy.Accountant, Peek(target), LedgerStoreFactory.Describe(target)) };
    }

    /// <summary>Binds the accountant to an open ledger (first run wins) and returns it; refused if the ledger composes with another.</summary>
    public static IPrivacyAccountant Bind(ILedgerStore store, string requested)
    {
        ArgumentNullException.ThrowIfNull(store);
        var name = Resolve(requested, store.BoundAccountant(), store.Location);
        var bound = store.BindAccountant(name);
        // Another process may have bound the ledger between the read and the write.
        return AccountantCatalog.Create(Resolve(name, bound, store.Location));
    }

    /// <summary>The accountant that judges an open ledger for a reader (binds nothing): its own, or for a ledger none has bound yet,
    /// <paramref name="fallback"/>.</summary>
    public static IPrivacyAccountant Reading(ILedgerStore store, string fallback)
    {
        ArgumentNullException.ThrowIfNull(store);
        var bound = store.BoundAccountant();
        return AccountantCatalog.Create(Resolve(bound is null ? fallback : FromLedger, bound, store.Location));
    }

    /// <summary>The accountant a run asking for <paramref name="requested"/> uses on a ledger bound to <paramref name="bound"/> (null: none yet).</summary>
    public static string Resolve(string requested, string? bound, string location)
    {
        if (bound is not null && !AccountantCatalog.Names.Contains(bound))
            throw new TrainingFailedException(
                $"ledger {location} says its events are composed with \"{bound}\", an accountant this version does not know " +
                $"({string.Join(", ", AccountantCatalog.Names)}); use the version of Veil that wrote it");
        if (requested == FromLedger) return bound ?? ForNewLedger;
        if (!AccountantCatalog.Names.Contains(requested))
            throw new ConfigurationException(
                $"veil.privacy.accountant = \"{requested}\" is not an accountant; valid: {string.Join(", ", Choices)}");
        if (bound is null || bound == requested) return requested;
        throw new ConfigurationException(
            $"veil.privacy.accountant = {requested}, but ledger {location} composes every event with {bound} (bound by the first run that " +
            $"opened it): one ledger's budget is kept by one accountant. Set veil.privacy.accountant = {FromLedger} (or {bound}), " +
            $"or give this run a fresh ledger (veil.privacy.ledger.path) to use {requested}");
    }

    private static string? Peek(PrivacySettings target)
    {
        if (target.LedgerBackend != LedgerBackends.Postgres && !File.Exists(target.LedgerPath)) return null;
        using var store = LedgerStoreFactory.Open(target);
        return store.BoundAccountant();
    }
}
