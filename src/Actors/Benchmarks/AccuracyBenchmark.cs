using System.Globalization;
using Veil.Actors.Configuration;
using Veil.Actors.LastLayer;
using Veil.Actors.Training;
using Veil.Actors.Transfer;

namespace Veil.Actors.Benchmarks;

/// <summary>
/// The accuracy table: each recipe at each ε (σ calibrated for that ε, δ and the recipe's schedule), plus each
/// recipe's non-private ceiling (DP-SGD recipes: the same model trained by plain SGD; last-layer recipes: a plain
/// ridge fit on the same features). Tuning spends privacy: on private data (the default) every row is charged to
/// the configured ledger, within its budget, like any run on those examples, and a non-private ceiling is refused
/// (it would be a release without DP). Only on data declared public (veil.data.public = true) does each row get a
/// fresh ledger of its own under runs/bench-ledgers/&lt;stamp&gt;/, and the ceiling run; each row says which.
/// </summary>
public static class AccuracyBenchmark
{
    /// <summary>One table row. Kind: "dp", "non-private sgd" (a DP-SGD recipe's ceiling) or "non-private ridge" (a last-layer recipe's).</summary>
    public sealed record Row(
        string Recipe, double? Epsilon, double TestAccuracy, double WallSeconds, double? SpentEpsilon, double? NoiseMultiplier, string? RunDirectory,
        string Kind = "dp",
        string? Ledger = null, bool DataPublic = false, string PrivacyUnit = "example");

    /// <summary>Refuses, before anything trains, a ceiling (plain SGD or ridge, no DP) on data not declared public.</summary>
    public static void RefuseNonPrivateCeiling(IReadOnlyList<string> recipes, IReadOnlyList<string> overrides)
    {
        foreach (var recipe in recipes)
            if (!TrainingSettings.Create(VeilConfiguration.Load(recipe, overrides)).DataPublic)
                throw NonPrivateCeilingRefused(recipe);
    }

    private static ConfigurationException NonPrivateCeilingRefused(string recipe) => new(
        $"bench accuracy: the non-private ceiling of {recipe} would train without " +
        $"DP on data not declared public, a release with no privacy guarantee; " +
        "pass --no-ceiling, or --set veil.data.public=true if this data really is public");

    public static IReadOnlyList<Row> Run(IReadOnlyList<string> recipes, IReadOnlyList<double> epsilons, bool ceiling, IReadOnlyList<string> overrides,
        string ledgerFolder, TextWriter log)
    {
        var rows = new List<Row>();
        foreach (var recipe in recipes)
        {
            var c = VeilConfiguration.Load(recipe, overrides);
            var lastLayer = LastLayerSettings.Mode(c) == RunMode.LastLayer;
            var training = TrainingSettings.Create(c);
            var dataPublic = training.DataPublic;
            foreach (var epsilon in epsilons)
            {
                var e = epsilon.ToString("R", CultureInfo.InvariantCulture);
                var ledger = dataPublic ? Path.Combine(ledgerFolder, $"{Path.GetFileNameWithoutExtension(recipe)}-eps{e}.sqlite") : null;
                log.WriteLine(ledger is null
                    ? $"bench accuracy: {recipe} at ε = {e}, charged to the configured ledger (tuning spends privacy)"
                    : $"bench accuracy: {recipe} at ε = {e} (data declared public: fresh ledger {ledger})");
                var row = lastLayer ? LastLayerRow(recipe, epsilon, e, overrides, ledger, log) : DpSgdRow(recipe, epsilon, e, overrides, ledger, log);
                rows.Add(row);
                log.WriteLine(
                    string.Create(CultureInfo.InvariantCulture,
                        $"bench accuracy: {recipe} {row.PrivacyUnit}-level ε = {row.SpentEpsilon:F3}: {row.TestAccuracy:P2} in {row.WallSeconds:F0} s"));
            }
            if (!ceiling) continue;
            if (!dataPublic) throw NonPrivateCeilingRefused(recipe);
            if (lastLayer)
            {
                log.WriteLine($"bench accuracy: {recipe} without DP (the ceiling: a plain ridge fit on the same features; no ledger)");
                var ridge = LastLayerCeiling.Run(LastLayerSettings.Create(c), training);
                rows.Add(new Row(recipe, null, ridge.TestAccuracy, ridge.WallSeconds, null, null, null, "non-private ridge"));
                log.WriteLine(
                    string.Create(CultureInfo.InvariantCulture,
                        $"bench accuracy: {recipe} non-private ridge: {ridge.TestAccuracy:P2} in {ridge.WallSeconds:F0} s"));
                continue;
            }
            log.WriteLine($"bench accuracy: {recipe} without DP (the ceiling; no ledger)");
            var n = NonPrivateCeiling.Run(training, PretrainSettings.Create(c));
            rows.Add(new Row(recipe, null, n.TestAccuracy, n.WallSeconds, null, null, null, "non-private sgd"));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench accuracy: {recipe} non-private: {n.TestAccuracy:P2} in {n.WallSeconds:F0} s"));
        }
        return rows;
    }

    // A fresh ledger (public data) needs a budget of at least the row's ε; the configured ledger keeps the user's budget.
    private static string[] RowOverrides(IReadOnlyList<string> overrides, string e, string? ledger, params string[] keys) =>
        [.. overrides, .. keys, .. ledger is null ? Array.Empty<string>() : [$"veil.privacy.budget.epsilon={e}"]];

    private static Row DpSgdRow(string recipe, double epsilon, string e, IReadOnlyList<string> overrides, string? ledger, TextWriter log)
    {
        var config = VeilConfiguration.Load(recipe, RowOverrides(overrides, e, ledger, $"veil.dp.target-epsilon={e}", "veil.dp.noise-multiplier=0"));
        var r = TrainingJob.Start(TrainingSettings.Create(config), PrivacySettings.Create(config), CheckpointSettings.Create(config),
            ChaosSettings.Create(config), TelemetrySettings.Create(config), log, ledger, new ProgressLine(log, ProgressMode.Quiet));
        return new Row(recipe, epsilon, r.TestAccuracy, r.WallSeconds, r.Epsilon, r.NoiseMultiplier, r.RunDirectory, Ledger: r.LedgerPath,
            DataPublic: ledger is not null, PrivacyUnit: r.PrivacyUnit);
    }

    // A last-layer recipe calibrates all its releases together for the row's ε; NoiseMultiplier is the common scale s.
    private static Row LastLayerRow(string recipe, double epsilon, string e, IReadOnlyList<string> overrides, string? ledger, TextWriter log)
    {
        var config = VeilConfiguration.Load(recipe, RowOverrides(overrides, e, ledger, $"veil.last-layer.target-epsilon={e}", "veil.last-layer.noise-scale=0"));
        var r = LastLayerJob.Start(LastLayerSettings.Create(config), TrainingSettings.Create(config), PrivacySettings.Create(config), log, ledger);
        return new Row(
            recipe, epsilon, r.TestAccuracy, r.WallSeconds, r.Epsilon, r.NoiseScale, r.RunDirectory, Ledger: r.LedgerPath, DataPublic: ledger is not null);
    }

    /// <summary>Test accuracy against ε, one line per recipe, its non-private ceiling dashed.</summary>
    public static void Plot(IReadOnlyList<Row> rows, string path)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (var group in rows.GroupBy(r => r.Recipe))
        {
            var color = palette.GetColor(i++);
            var points = group.Where(r => r.Epsilon is not null).OrderBy(r => r.Epsilon).ToArray();
            if (points.Length > 0)
            {
                var s = plot.Add.Scatter(points.Select(r => r.Epsilon!.Value).ToArray(), points.Select(r => r.TestAccuracy).ToArray());
                s.LegendText = Path.GetFileNameWithoutExtension(group.Key);
                s.Color = color;
            }
            if (group.FirstOrDefault(r => r.Epsilon is null) is { } top)
            {
                var line = plot.Add.HorizontalLine(top.TestAccuracy);
                line.Color = color;
                line.LinePattern = ScottPlot.LinePattern.Dashed;
                line.LegendText = $"{Path.GetFileNameWithoutExtension(group.Key)} ({top.Kind})";
            }
        }
        var eps = rows.Where(r => r.Epsilon is not null).Select(r => r.Epsilon!.Value).DefaultIfEmpty(10).Max();
        var lowest = rows.Select(r => r.TestAccuracy).DefaultIfEmpty(0).Min();
        plot.Axes.SetLimits(0, eps * 1.1, Math.Max(0, lowest - 0.05), 1.0);
        plot.Title("Test accuracy vs ε (δ from each recipe)");
        plot.XLabel("ε");
        plot.YLabel("test accuracy");
        plot.ShowLegend();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, 900, 550);
    }
}
