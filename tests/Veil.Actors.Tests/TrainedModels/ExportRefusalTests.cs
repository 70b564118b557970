using Microsoft.Data.Sqlite;
using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Xunit;

namespace Veil.Actors.Tests.TrainedModels;

/// <summary>A model whose ε cannot be trusted does not leave: export refuses a run whose ledger fails verification.</summary>
[Collection(TrainingCollection.Name)]
public class ExportRefusalTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void Export_refuses_a_run_whose_ledger_was_tampered_with_naming_the_ledger_and_the_verify_command()
    {
        var train = CliRun.Of(["train", .. _data.Settings(), "--quiet", "--json"]);
        Assert.True(train.ExitCode == 0, train.Stderr);
        var runPath = train.Json.GetProperty("run_dir").GetString()!;
        var file = Path.Combine(_data.Folder, "model.safetensors");
        Assert.Equal(0, CliRun.Of("export", "--run", runPath, "--out", file).ExitCode); // it exports while the ledger is intact
        File.Delete(file);

        using (var c = new SqliteConnection($"Data Source={_data.Ledger};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            // A far larger σ and smaller q in the last release: the kind of edit that would understate ε.
            cmd.CommandText = "UPDATE ledger SET event = '{\"type\":\"poisson_sampled\",\"sampling_rate\":0.01,\"event\":{\"type\":\"gaussian\",\"noise_multiplier\":50}}' WHERE seq = (SELECT MAX(seq) FROM ledger);";
            Assert.Equal(1, cmd.ExecuteNonQuery());
        }
        var export = CliRun.Of("export", "--run", runPath, "--out", file);
        Assert.Equal(2, export.ExitCode);
        Assert.Contains(Path.GetFullPath(_data.Ledger), export.Stderr);
        Assert.Contains("./run.sh privacy ledger verify", export.Stderr);
        Assert.False(File.Exists(file));
    }
}
