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
}
