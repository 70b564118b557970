using System.Text.Json;
using System.Text.Json.Nodes;
using Veil.Actors.Checkpoints;
using Veil.Actors.Tests.Cli;
using Veil.Actors.Training;
using Veil.Ledger.Plan;
using Veil.Ledger.Store;
using Xunit;

namespace Veil.Actors.Tests.Training;

[Collection(TrainingCollection.Name)]
public class ResumeTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();

    public void Dispose() => _data.Dispose();

    private string FinishedRun()
    {
        var run = CliRun.Of(["train", .. _data.Settings("veil.checkpoint.every-steps=3"), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return run.Json.GetProperty("run_dir").GetString()!;
    }

    [Fact]
    public void Resume_skips_a_corrupt_newest_checkpoint_redoes_the_steps_and_counts_their_releases_again()
    {
        var runDir = FinishedRun();
        var store = new CheckpointStore(Path.Combine(runDir, "checkpoints"), 3);
        var newest = store.Files()[0];
        var bytes = File.ReadAllBytes(newest);
        bytes[100] ^= 0xFF;
        File.WriteAllBytes(newest, bytes);

        var resumed = CliRun.Of("train", "--resume", runDir, "--json");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("skipping corrupt checkpoint", resumed.Stdout);
        Assert.Equal(9, resumed.Json.GetProperty("resumed_from_step").GetInt64());
        Assert.Equal(12, resumed.Json.GetProperty("parameter_version").GetInt64()); // every step applied once in the final lineage
        Assert.Equal(15, resumed.Json.GetProperty("ledger_events").GetInt64());     // 12 + the 3 redone: each release counts
        using var ledger = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false);
        Assert.True(ledger.Verify().Valid);
    }

    [Fact]
    public void Plan_json_settings_json_and_every_checkpoint_carry_the_same_plan()
    {
        var runDir = FinishedRun();
        var planFile = JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, "plan.json")))!;
        Assert.Equal("dp-sgd", (string?)planFile["mode"]);
        var plan = PlanJson.Read(planFile["plan"]!.ToJsonString());
        Assert.Equal(plan, SavedRun.Read(runDir).Plan);
        var store = new CheckpointStore(Path.Combine(runDir, "checkpoints"), 10);
        Assert.NotEmpty(store.Files());
        foreach (var file in store.Files()) Assert.Equal(plan, CheckpointFile.Decode(File.ReadAllBytes(file), file).Plan);
    }

    [Fact]
    public void A_ledger_deleted_while_checkpoints_exist_refuses_the_resume()
    {
        var runDir = FinishedRun();
        File.Delete(_data.Ledger);
        var resumed = CliRun.Of("train", "--resume", runDir);
        Assert.Equal(1, resumed.ExitCode);
        Assert.Contains("privacy already spent is unknown", resumed.Stderr);
        Assert.False(File.Exists(_data.Ledger));
    }

    [Fact]
    public void A_checkpoint_under_another_dp_plan_is_refused_naming_the_difference()
    {
        var runDir = FinishedRun();
        var settingsPath = Path.Combine(runDir, "settings.json");
        var settings = JsonNode.Parse(File.ReadAllText(settingsPath))!;
        settings["Plan"]!["noise_multiplier"] = 0.5;
        settings["Plan"]!.AsObject().Remove("step_event"); // a consistent edit: only the checkpoint can tell
        File.WriteAllText(settingsPath, settings.ToJsonString());
        var resumed = CliRun.Of("train", "--resume", runDir);
        Assert.Equal(1, resumed.ExitCode);
        Assert.Contains("DP plan", resumed.Stderr);
        Assert.Contains("\"noise_multiplier\":0.5", resumed.Stderr);
    }

    [Fact]
    public void A_settings_file_whose_plan_was_edited_against_its_own_step_event_is_refused_as_damaged()
    {
        var runDir = FinishedRun();
        var settingsPath = Path.Combine(runDir, "settings.json");
        var settings = JsonNode.Parse(File.ReadAllText(settingsPath))!;
        settings["Plan"]!["noise_multiplier"] = 50.0;
        File.WriteAllText(settingsPath, settings.ToJsonString());
        var resumed = CliRun.Of("train", "--resume", runDir);
        Assert.Equal(1, resumed.ExitCode);
        Assert.Contains("damaged", resumed.Stderr);
        Assert.Contains("step_event", resumed.Stderr);
    }

    [Fact]
    public void A_checkpoint_of_another_model_is_refused()
    {
        var runDir = FinishedRun();
        var settingsPath = Path.Combine(runDir, "settings.json");
        var settings = JsonNode.Parse(File.ReadAllText(settingsPath))!;
        settings["Training"]!["Model"] = "tanh-cnn";
        File.WriteAllText(settingsPath, settings.ToJsonString());
        var resumed = CliRun.Of("train", "--resume", runDir);
        Assert.Equal(1, resumed.ExitCode);
        Assert.Contains("model mlp", resumed.Stderr);
    }

    [Fact]
    public void Resume_only_lets_chaos_settings_change()
    {
        var resumed = CliRun.Of("train", "--resume", _data.Folder, "--set", "veil.dp.epochs=100");
        Assert.Equal(2, resumed.ExitCode);
        Assert.Contains("only veil.chaos", resumed.Stderr);
    }
}
