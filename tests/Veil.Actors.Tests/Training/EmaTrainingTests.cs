using System.Runtime.InteropServices;
using System.Text.Json;
using Veil.Actors.Checkpoints;
using Veil.Actors.Tests.Cli;
using Xunit;

namespace Veil.Actors.Tests.Training;

[Collection(TrainingCollection.Name)]
public sealed class EmaTrainingTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void The_moving_average_is_reported_saved_and_checkpointed_without_changing_the_trajectory()
    {
        // The same fixed private randomness in both runs (INSECURE, tests only) and one worker (partial sums always added in the same
        // order), so the iterates can be compared bit for bit.
        var plain = Train("plain", "veil.optimizer.ema=0");
        var averaged = Train("averaged", "veil.optimizer.ema=0.9");

        Assert.Equal(JsonValueKind.Null, plain.Json.GetProperty("ema_test_accuracy").ValueKind);
        Assert.Equal("last", plain.Json.GetProperty("saved_model").GetString());
        Assert.False(File.Exists(Path.Combine(plain.Dir, "parameters-last.f32")));
        Assert.All(Checkpoints(plain.Dir), c => Assert.Null(c.Average));

        Assert.Equal("ema", averaged.Json.GetProperty("saved_model").GetString());
        var emaAccuracy = averaged.Json.GetProperty("ema_test_accuracy").GetDouble();
        Assert.InRange(emaAccuracy, 0, 1);
        // Averaging reads the iterates and never feeds back: the last iterate is the plain run's, bit for bit.
        Assert.Equal(Floats(plain.Dir, "parameters.f32"), Floats(averaged.Dir, "parameters-last.f32"));
        Assert.Equal(plain.Json.GetProperty("test_accuracy").GetDouble(), averaged.Json.GetProperty("test_accuracy").GetDouble());
        var saved = Floats(averaged.Dir, "parameters.f32");
        Assert.NotEqual(Floats(averaged.Dir, "parameters-last.f32"), saved);
        Assert.Equal(saved, Checkpoints(averaged.Dir).OrderByDescending(c => c.StepsApplied).First().Average);
    }

    [Fact]
    public void A_resumed_run_continues_the_moving_average_from_its_checkpoint()
    {
        const double beta = 0.9;
        var first = Train("resumed", $"veil.optimizer.ema={beta}", "veil.checkpoint.every-steps=1", "veil.checkpoint.keep=3");
        var store = new CheckpointStore(Path.Combine(first.Dir, "checkpoints"), 3);
        var newest = store.Files()[0];
        var bytes = File.ReadAllBytes(newest);
        bytes[100] ^= 0xFF; // the last step is redone from the checkpoint before it
        File.WriteAllBytes(newest, bytes);

        var resumed = CliRun.Of("train", "--resume", first.Dir, "--json");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        long last = resumed.Json.GetProperty("parameter_version").GetInt64();
        Assert.Equal(last - 1, resumed.Json.GetProperty("resumed_from_step").GetInt64());
        var before = Checkpoints(first.Dir).Single(c => c.StepsApplied == last - 1);
        var after = Checkpoints(first.Dir).Single(c => c.StepsApplied == last);
        // One update past the restored average: θ̄ = β·θ̄_before + (1 − β)·θ, in the optimizer's own arithmetic. An average restarted
        // at the resumed parameters (or at the initial ones) would not satisfy it.
        var expected = before.Average!.Zip(after.Parameters, (a, p) => (float)(beta * a + (1 - beta) * p)).ToArray();
        Assert.Equal(expected, after.Average);
        Assert.Equal(after.Average, Floats(first.Dir, "parameters.f32"));
        Assert.NotEqual(before.Parameters.Zip(after.Parameters, (a, p) => (float)(beta * a + (1 - beta) * p)).ToArray(), after.Average);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("-0.5")]
    public void An_ema_decay_outside_zero_to_one_is_refused_naming_the_key(string beta)
    {
        var run = CliRun.Of(["train", .. _data.Settings($"veil.optimizer.ema={beta}")]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("veil.optimizer.ema", run.Stderr);
    }

    private (JsonElement Json, string Dir) Train(string name, params string[] more)
    {
        var run = CliRun.Of(["train", .. _data.Settings(["veil.run.insecure-private-seed=11", "veil.checkpoint.every-steps=3",
            "veil.runtime.workers-per-device=1", .. more,
            $"veil.run.dir={Path.Combine(_data.Folder, name)}", $"veil.privacy.ledger.path={Path.Combine(_data.Folder, name + ".sqlite")}"]), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return (run.Json, run.Json.GetProperty("run_dir").GetString()!);
    }

    private static float[] Floats(string dir, string file) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(dir, file))).ToArray();

    private static IEnumerable<Checkpoint> Checkpoints(string dir)
    {
        var store = new CheckpointStore(Path.Combine(dir, "checkpoints"), 10);
        Assert.NotEmpty(store.Files());
        return store.Files().Select(f => CheckpointFile.Decode(File.ReadAllBytes(f), f));
    }
}
