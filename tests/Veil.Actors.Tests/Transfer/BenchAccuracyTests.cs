using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Veil.Ledger.Store;
using Xunit;

namespace Veil.Actors.Tests.Transfer;

/// <summary>
/// `bench accuracy` is tuning, and tuning spends privacy: on private data every row is charged to the configured
/// ledger and a non-private ceiling is refused; only data declared public gets fresh ledgers and a ceiling.
/// </summary>
[Collection(TrainingCollection.Name)]
public class BenchAccuracyTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();

    public void Dispose() => _data.Dispose();

    private string Recipe(string name, string content)
    {
        var recipe = Path.Combine(_data.Folder, name);
        File.WriteAllText(recipe, content);
        return recipe;
    }

    [Fact]
    public void On_data_declared_public_each_epsilon_runs_on_a_fresh_ledger_and_the_table_has_a_non_private_row()
    {
        var recipe = Recipe("tiny.conf", "veil { dp.epochs = 1, pretrain.epochs = 1, data.public = true }");
        var png = Path.Combine(_data.Folder, "plot.png");
        var run = CliRun.Of(["bench", "accuracy", "--recipes", recipe, "--epsilons", "2,4", "--plot", png, .. _data.Settings(), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var rows = run.Json.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(3, rows.Length);
        Assert.Equal(2.0, rows[0].GetProperty("epsilon").GetDouble());
        Assert.True(rows[0].GetProperty("epsilon_spent").GetDouble() <= 2.0);
        Assert.True(rows[1].GetProperty("epsilon_spent").GetDouble() is > 2.0 and <= 4.0);
        Assert.True(rows[0].GetProperty("data_public").GetBoolean());
        Assert.Equal("inf", rows[2].GetProperty("epsilon").GetString());
        Assert.True(File.Exists(png));
        Assert.False(File.Exists(_data.Ledger), "rows on public data must not be charged to veil.privacy.ledger.path");
        Assert.Contains("declared public", run.Stdout);
    }

    [Fact]
    public void On_private_data_every_row_is_charged_to_the_configured_ledger_until_the_budget_refuses()
    {
        var recipe = Recipe("tiny.conf", "veil { dp.epochs = 1 }");
        var run = CliRun.Of(["bench", "accuracy", "--no-ceiling", "--recipes", recipe, "--epsilons", "2,2", "--plot", Path.Combine(_data.Folder, "p.png"),
            .. _data.Settings("veil.privacy.budget.epsilon=2.5"), "--json"]);
        // One row of ε = 2 fits a budget of 2.5; a second on the same examples would compose past it, and nothing of it is released.
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("budget", run.Stderr);
        using var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false);
        Assert.True(store.Verify().Valid);
        Assert.Single(store.ReadAll().Select(r => r.RunId).Distinct());
    }

    [Fact]
    public void A_non_private_ceiling_on_private_data_is_refused_before_anything_trains()
    {
        var recipe = Recipe("tiny.conf", "veil { dp.epochs = 1 }");
        var run = CliRun.Of(["bench", "accuracy", "--recipes", recipe, "--epsilons", "2", "--plot", Path.Combine(_data.Folder, "p.png"), .. _data.Settings(), "--json"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("non-private ceiling", run.Stderr);
        Assert.Contains("--no-ceiling", run.Stderr);
        Assert.Contains("veil.data.public=true", run.Stderr);
        Assert.False(File.Exists(_data.Ledger), "a refused benchmark released nothing");
    }

    [Fact]
    public void A_last_layer_recipe_on_public_data_is_calibrated_per_epsilon_on_fresh_ledgers_with_a_non_private_ridge_row()
    {
        var recipe = Recipe("last-layer.conf", "veil { mode = last-layer, data.public = true, last-layer { method = dp-least-squares, regularisation = 20 } }");
        var png = Path.Combine(_data.Folder, "plot.png");
        var run = CliRun.Of(["bench", "accuracy", "--recipes", recipe, "--epsilons", "2,4", "--plot", png, .. _data.Settings(), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var rows = run.Json.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(3, rows.Length);
        // Calibrated to each row's ε (to the calibration's 1e-5 relative tolerance) on its own ledger: on one shared
        // ledger with budget ε = 4, the second run (2 + 4 > 4) would have been refused.
        Assert.InRange(rows[0].GetProperty("epsilon_spent").GetDouble(), 1.99, 2.0);
        Assert.InRange(rows[1].GetProperty("epsilon_spent").GetDouble(), 3.99, 4.0);
        Assert.Equal("inf", rows[2].GetProperty("epsilon").GetString());
        Assert.True(rows[2].GetProperty("non_private").GetBoolean());
        Assert.Equal("non-private ridge", rows[2].GetProperty("kind").GetString());
        Assert.True(rows[2].GetProperty("test_accuracy").GetDouble() > 0.3, $"ridge accuracy {rows[2].GetProperty("test_accuracy")} (chance is 0.1)");
        Assert.Contains("ridge", run.Stdout);
        Assert.False(File.Exists(_data.Ledger), "rows on public data must not be charged to veil.privacy.ledger.path");
    }
}
