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

    [Theory]
    [InlineData("1")]
    [InlineData("-0.5")]
    public void An_ema_decay_outside_zero_to_one_is_refused_naming_the_key(string beta)
    {
        var run = CliRun.Of(["train", .. _data.Settings($"veil.optimizer.ema={beta}")]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("veil.optimizer.ema", run.Stderr);
    }

    private (JsonElement Json, string Dir) Train(string name, string ema)
    {
        var run = CliRun.Of(["train", .. _data.Settings(ema, "veil.run.insecure-private-seed=11", "veil.checkpoint.every-steps=3",
            "veil.runtime.workers-per-device=1",
            $"veil.run.dir={Path.Combine(_data.Folder, name)}", $"veil.privacy.ledger.path={Path.Combine(_data.Folder, name + ".sqlite")}"), "--json"]);
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
