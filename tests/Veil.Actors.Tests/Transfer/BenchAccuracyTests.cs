using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Xunit;

namespace Veil.Actors.Tests.Transfer;

[Collection(TrainingCollection.Name)]
public class BenchAccuracyTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void Each_epsilon_runs_on_a_fresh_ledger_and_the_table_has_a_non_private_row()
    {
        var recipe = Path.Combine(_data.Folder, "tiny.conf");
        File.WriteAllText(recipe, "veil { dp.epochs = 1, pretrain.epochs = 1 }");
        var png = Path.Combine(_data.Folder, "plot.png");
        var run = CliRun.Of(["bench", "accuracy", "--recipes", recipe, "--epsilons", "2,4", "--plot", png, .. _data.Settings(), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var rows = run.Json.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(3, rows.Length);
        Assert.Equal(2.0, rows[0].GetProperty("epsilon").GetDouble());
        Assert.True(rows[0].GetProperty("epsilon_spent").GetDouble() <= 2.0);
        Assert.True(rows[1].GetProperty("epsilon_spent").GetDouble() is > 2.0 and <= 4.0);
        Assert.Equal("inf", rows[2].GetProperty("epsilon").GetString());
        Assert.True(File.Exists(png));
        Assert.False(File.Exists(_data.Ledger), "the user's ledger (veil.privacy.ledger.path) must not be charged by a benchmark");
        Assert.Contains("fresh ledger", run.Stdout);
    }

    [Fact]
    public void A_last_layer_recipe_is_calibrated_per_epsilon_on_fresh_ledgers_with_a_non_private_ridge_row()
    {
        var recipe = Path.Combine(_data.Folder, "last-layer.conf");
        File.WriteAllText(recipe, "veil { mode = last-layer, last-layer { method = dp-least-squares, regularisation = 20 } }");
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
        Assert.False(File.Exists(_data.Ledger), "the user's ledger (veil.privacy.ledger.path) must not be charged by a benchmark");
    }
}
