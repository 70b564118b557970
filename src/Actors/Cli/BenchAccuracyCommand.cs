using System.CommandLine;
using System.Globalization;
using Veil.Actors.Benchmarks;
using Veil.Actors.Configuration;

namespace Veil.Actors.Cli;

/// <summary>`veil bench accuracy`: the accuracy-vs-ε table of recipes, each run on a fresh ledger; JSON and a PNG, asserts nothing.</summary>
public static class BenchAccuracyCommand
{
    public static Command Create(TextWriter stdout)
    {
        var recipes = new Option<string>("--recipes")
        {
            Description = "Comma-separated recipe files, e.g. hocon/fmnist-transfer-subset-eps3.conf,hocon/fmnist-transfer-classes-eps3.conf.",
            Required = true,
        };
        var epsilons = new Option<string>(
            "--epsilons") { Description = "Comma-separated target ε values (default 1,3,8).", DefaultValueFactory = _ => "1,3,8" };
        var noCeiling = new Option<bool>("--no-ceiling") { Description = "Skip the non-private ceiling rows." };
        var plot = new Option<string?>("--plot") { Description = "PNG to write (default runs/bench-accuracy-<stamp>.png)." };
        var set = new Option<string[]>("--set") { Description = "Override one key in every recipe (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var json = CliOptions.Json();
        var command = new Command(
            "accuracy",
            "Test accuracy of recipes at several ε (σ calibrated per ε) and without DP; " +
            "each run on a fresh ledger.") { recipes, epsilons, noCeiling, plot, set, json };
        command.SetAction(p =>
        {
            var files = p.GetValue(recipes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var f in files)
                if (!File.Exists(f))
                    throw new CliUsageException($"--recipes: {f} does not exist (give recipe files, e.g. hocon/fmnist-transfer-subset-eps3.conf)");
            var eps = p.GetValue(epsilons)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
                double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v)
                    ? v : throw new CliUsageException($"--epsilons: {s} is not a positive number (e.g. --epsilons 1,3,8)")).ToArray();
            var overrides = p.GetValue(set) ?? [];
            var runs = TrainingSettings.Create(VeilConfiguration.Load(files.FirstOrDefault(), overrides)).RunDirectory;
            var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            var ledgers = Path.GetFullPath(Path.Combine(runs, "bench-ledgers", stamp));
            if (!p.GetValue(noCeiling)) AccuracyBenchmark.RefuseNonPrivateCeiling(files, overrides);
            stdout.WriteLine(
                $"bench accuracy: tuning spends privacy: rows on private data are charged to the configured ledger within its budget; " +
                $"rows on data declared public (veil.data.public) get fresh ledgers under {ledgers}.");
            var rows = AccuracyBenchmark.Run(files, eps, !p.GetValue(noCeiling), overrides, ledgers, stdout);
            var png = p.GetValue(plot) ?? Path.Combine(runs, $"bench-accuracy-{stamp}.png");
            AccuracyBenchmark.Plot(rows, png);
            foreach (var r in rows)
                stdout.WriteLine(
                    string.Create(CultureInfo.InvariantCulture,
                        $"  {r.Recipe,-48} ε {(r.Epsilon is { } e ? e.ToString("G4", CultureInfo.InvariantCulture) : $"∞ ({r.Kind})"),-10} " +
                        $"{(r.Epsilon is null ? "" : r.PrivacyUnit + "-level "),-14}" +
                        $"accuracy {r.TestAccuracy:P2}  {r.WallSeconds:F0} s"));
            stdout.WriteLine($"plot: {Path.GetFullPath(png)}");
            if (p.GetValue(json))
                stdout.WriteLine(JsonLine.Of(("benchmark", "accuracy"),
                    ("rows", rows.Select(r => new (string, object?)[]
                    {
                        ("recipe", r.Recipe), ("epsilon", r.Epsilon is { } e ? e : "inf"), ("test_accuracy", r.TestAccuracy), ("wall_s", r.WallSeconds),
                        ("epsilon_spent", r.SpentEpsilon), ("noise_multiplier", r.NoiseMultiplier), ("non_private", r.Epsilon is null), ("kind", r.Kind),
                        ("run_dir", r.RunDirectory), ("ledger", r.Ledger), ("data_public", r.DataPublic), ("privacy_unit", r.PrivacyUnit),
                    }).ToList()),
                    ("plot", Path.GetFullPath(png)), ("ledgers", ledgers)));
            return ExitCodes.Ok;
        });
        return command;
    }
}
