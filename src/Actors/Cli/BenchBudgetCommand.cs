using System.CommandLine;
using System.Globalization;
using Veil.Ledger.Accountants;
using Veil.Ledger.Budget;

namespace Veil.Actors.Cli;

/// <summary>
/// `veil bench budget`: how long a per-example budget check takes on a ledger of many runs over overlapping
/// scopes of one 60 000-example dataset (<see cref="BudgetCheckBenchmark"/>): a cold planned-run check, a
/// warm one, and a spend. Reports; asserts nothing.
/// </summary>
public static class BenchBudgetCommand
{
    public static Command Create(TextWriter stdout)
    {
        var runs = CliOptions.Ranged<int>("--runs", "Runs already in the ledger, 3 records each (default 1000).", v => v is >= 1 and <= 1_000_000, "[1, 1e6]");
        runs.DefaultValueFactory = _ => 1000;
        var accountant = CliOptions.Accountant();
        var json = CliOptions.Json();
        var command = new Command("budget", "Time per-example budget checks on a ledger of overlapping scopes (cold, warm, spend).") { runs, accountant, json };
        command.SetAction(p =>
        {
            var folder = Path.Combine(Path.GetTempPath(), "veil-bench-budget-" + Guid.NewGuid().ToString("N"));
            try
            {
                var r = BudgetCheckBenchmark.Run(folder, AccountantCatalog.Create(p.GetValue(accountant)!), runs: p.GetValue(runs));
                if (!p.GetValue(json))
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{r.Records:N0} records of {r.Runs:N0} runs over {r.Scopes} scopes of {r.Examples:N0} examples ({r.Blocks} blocks, " +
                        $"{r.Accountant}): cold check {r.ColdCheckMs:F1} ms, warm check {r.WarmCheckMs:F1} ms, spend {r.SpendMs:F1} ms"));
                stdout.WriteLine(JsonLine.Of(
                    ("benchmark", "budget"), ("accountant", r.Accountant), ("examples", r.Examples), ("scopes", r.Scopes), ("runs", r.Runs),
                    ("records", r.Records), ("blocks", r.Blocks), ("setup_ms", r.SetupMs), ("cold_check_ms", r.ColdCheckMs),
                    ("warm_check_ms", r.WarmCheckMs), ("spend_ms", r.SpendMs), ("epsilon", r.WorstEpsilon)));
            }
            finally
            {
                if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
