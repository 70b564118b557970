using System.CommandLine;
using System.Globalization;
using Veil.Actors.Configuration;
using Veil.Actors.PrivateRuns;
using Veil.Ledger.Accountants;
using Veil.Ledger.Budget;
using Veil.Ledger.Store;

namespace Veil.Actors.Cli;

/// <summary>
/// `veil privacy ledger verify|show`: inspect a ledger without changing it. Which ledger: --ledger (a SQLite
/// file) or --connection-string (PostgreSQL; keep the password in PGPASSWORD or ~/.pgpass, not on the
/// command line), else the configured one (veil.privacy.ledger.* of --config, or the defaults).
/// </summary>
public static class PrivacyLedgerCommands
{
    public static Command Create(TextWriter stdout)
    {
        var ledger = new Command("ledger", "Inspect a privacy ledger (read-only).") { Verify(stdout), Show(stdout) };
        return ledger;
    }

    private static Option<string?> LedgerFile() => new("--ledger") { Description = "Ledger file (SQLite). Default: the configured ledger." };

    private static Option<string?> ConnectionString() =>
        new("--connection-string") { Description = "PostgreSQL ledger, e.g. \"Host=db;Database=veil;Username=veil\" (password from PGPASSWORD or ~/.pgpass)." };

    private static Option<string?> ConfigFile() => new("--config") { Description = "HOCON file for veil.privacy.* (the ledger, δ) defaults." };

    private static Command Verify(TextWriter stdout)
    {
        var file = LedgerFile();
        var connection = ConnectionString();
        var config = ConfigFile();
        var json = CliOptions.Json();
        var command = new Command(
            "verify", "Walk the hash chain; name the first bad record. Exit 1 if the ledger is not valid.") { file, connection, config, json };
        command.SetAction(p =>
        {
            var settings = PrivacySettings.Create(VeilConfiguration.Load(p.GetValue(config)));
            using var store = OpenExisting(settings, p.GetValue(file), p.GetValue(connection));
            var v = store.Verify();
            if (p.GetValue(json))
                stdout.WriteLine(JsonLine.Of(("valid", v.Valid), ("records", v.Records), ("first_bad", v.FirstBadSequence), ("reason", v.Reason)));
            else
                stdout.WriteLine(
                    v.Valid ? $"{store.Location}: valid, {v.Records} records" : $"{store.Location}: NOT valid at record {v.FirstBadSequence}: {v.Reason}");
            return v.Valid ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    private static Command Show(TextWriter stdout)
    {
        var file = LedgerFile();
        var connection = ConnectionString();
        var dataset = new Option<string?>("--dataset") { Description = "Dataset fingerprint (or a unique prefix); default: every dataset in the ledger." };
        var delta = CliOptions.Ranged<double?>("--delta", "δ for ε (default veil.privacy.budget.delta).", v => v is > 0 and < 1, "(0, 1)");
        var accountant = CliOptions.LedgerAccountant();
        var config = ConfigFile();
        var json = CliOptions.Json();
        var command = new Command(
            "show",
            "Records, runs and ε spent per dataset (its worst example) and per block of examples, " +
            "computed from the ledger alone.") { file, connection, dataset, delta, accountant, config, json };
        command.SetAction(p =>
        {
            var settings = PrivacySettings.Create(VeilConfiguration.Load(p.GetValue(config)));
            var d = p.GetValue(delta) ?? settings.BudgetDelta;
            using var store = OpenExisting(settings, p.GetValue(file), p.GetValue(connection));
            var acc = p.GetValue(accountant) is var named && named != LedgerAccountant.FromLedger
                ? AccountantCatalog.Create(named!)
                : LedgerAccountant.Reading(store, LedgerAccountant.ForNewLedger);
            var records = store.ReadAll();
            var summary = LedgerSummary.Of(records, store.ReadScopeIds().Select(s => store.ReadScope(s.Id)!), acc, d);
            var datasets = summary.Datasets.ToList();
            if (p.GetValue(dataset) is { } wanted)
            {
                datasets = datasets.Where(x => x.Scopes.Any(k => k.StartsWith(wanted, StringComparison.Ordinal))).ToList();
                if (datasets.Count != 1)
                    throw new CliUsageException(
                        $"--dataset {wanted} matches {datasets.Count} datasets in {store.Location}; give a longer prefix of a " +
                        $"scope id or fingerprint of one of: {string.Join(", ", summary.Datasets.Select(x => x.Scopes[0]))}");
            }
            var blocks = summary.Blocks.Where(b => datasets.Any(x => x.Scopes.Contains(b.Scopes[0]))).ToList();
            var shown = datasets.Sum(x => x.Records);
            // One dataset: its worst example. Several: the worst of them, since each is spent separately.
            var epsilon = datasets.Count == 0 ? 0 : datasets.Max(x => x.WorstEpsilon);
            if (p.GetValue(json))
            {
                stdout.WriteLine(JsonLine.Of(
                    ("records", shown), ("epsilon", epsilon), ("delta", d), ("accountant", acc.Name),
                    ("runs", datasets.SelectMany(x => x.Runs.Select(r => new (string, object?)[]
                    {
                        ("run_id", r.RunId), ("dataset", x.Scopes[0]), ("events", r.Events), ("first_step", r.FirstStep), ("last_step", r.LastStep),
                    })).ToList()),
                    ("datasets", datasets.Select(x => new (string, object?)[]
                    {
                        ("dataset", x.Scopes[0]), ("scopes", x.Scopes), ("examples", x.Examples), ("records", x.Records), ("epsilon", x.WorstEpsilon),
                    }).ToList()),
                    ("blocks", blocks.Select(b => new (string, object?)[]
                    {
                        ("scopes", b.Scopes), ("examples", b.Examples), ("epsilon", b.Epsilon), ("runs", b.Runs.Select(r => r.RunId).ToList()),
                    }).ToList())));
            }
            else
            {
                var bound = store.BoundAccountant();
                stdout.WriteLine($"{store.Location}: {records.Count} records; ε by {acc.Name}" +
                                 (bound is null ? " (no run has bound this ledger's accountant yet)"
                                     : bound == acc.Name ? " (the ledger's accountant)" : $" (a second opinion: the ledger's accountant is {bound})"));
                foreach (var x in datasets)
                {
                    var what = x.Examples is { } n
                        ? string.Create(CultureInfo.InvariantCulture, $"{n:N0} examples in {x.Scopes.Count} scope(s)")
                        : $"dataset {x.Scopes[0]} (recorded before scopes: examples unknown)";
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {what}: worst example ε = {EpsilonText(x.WorstEpsilon)} at δ = {d:G3} ({acc.Name}), " +
                        $"{x.Records} records; {DatasetSpending.Describe(x.Runs)}"));
                    foreach (var b in blocks.Where(b => b.Examples is not null && x.Scopes.Contains(b.Scopes[0])))
                        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"    {b.Examples:N0} examples charged by {string.Join(", ", b.Runs.Select(r => r.RunId))}: ε = {EpsilonText(b.Epsilon)}"));
                }
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static ILedgerStore OpenExisting(PrivacySettings configured, string? file, string? connectionString)
    {
        if (file is not null && connectionString is not null)
            throw new CliUsageException("give --ledger (a SQLite file) or --connection-string (a PostgreSQL ledger), not both");
        var settings = file is not null ? configured with { LedgerBackend = LedgerBackends.Sqlite, LedgerPath = file }
            : connectionString is not null ? configured with { LedgerBackend = LedgerBackends.Postgres, LedgerConnectionString = connectionString }
            : configured;
        return LedgerStoreFactory.Open(settings, createIfMissing: false); // reading never creates a ledger
    }

    // An insecure run's examples have no guarantee left: say so instead of printing "Infinity".
    private static string EpsilonText(double epsilon) => double.IsPositiveInfinity(epsilon)
        ? "∞ (a release with insecure, fixed private randomness)"
        : epsilon.ToString("G6", CultureInfo.InvariantCulture);
}
