using System.Text.Json;
using System.Text.Json.Nodes;
using Veil.Actors.Configuration;
using Veil.Actors.Training;
using Veil.Ledger.Plan;
using Xunit;

namespace Veil.Actors.Tests.Training;

public sealed class SavedRunTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("veil-saved-run-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_settings_file_that_keeps_the_runtime_knobs_and_dp_values_among_the_training_settings_still_reads()
    {
        var config = VeilConfiguration.Load(overrides: ["veil.runtime.micro-batch-size=77", "veil.eval.batch-size=33", "veil.dp.clip-norm=0.25"]);
        var saved = new SavedRun(TrainingSettings.Create(config), PrivacySettings.Create(config), CheckpointSettings.Create(config), "ledger.sqlite",
            new DpPlan(0.1, 1.0, 1.0, 10, 1e-5, "fingerprint", 100), "scope-x");
        var document = JsonNode.Parse(JsonSerializer.Serialize(saved))!;
        var training = document["Training"]!.AsObject();
        foreach (var record in new[] { "Runtime", "Dp" })
        {
            var nested = training[record]!.AsObject();
            training.Remove(record);
            foreach (var (key, value) in nested.ToList())
            {
                nested.Remove(key);
                training[key] = value;
            }
        }
        File.WriteAllText(Path.Combine(_folder, SavedRun.FileName), document.ToJsonString());

        var read = SavedRun.Read(_folder);
        Assert.Equal(77, read.Training.Runtime.MicroBatchSize);
        Assert.Equal(33, read.Training.Runtime.EvalBatchSize);
        Assert.Equal(saved.Training.Runtime.Devices, read.Training.Runtime.Devices);
        Assert.Equal(0.25, read.Training.Dp.ClipNorm);
        Assert.Equal(saved.Training.Dp, read.Training.Dp);
    }
}
