using System.Text.Json;
using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;

namespace Veil.Actors.Tests.TrainedModels;

/// <summary>One tiny finished run (mlp on synthetic Fashion-MNIST IDX files, 12 steps), shared by the tests that only read it.</summary>
public sealed class TrainedRunFixture : IDisposable
{
    public TrainedRunFixture()
    {
        var run = CliRun.Of(["train", .. Data.Settings(), "--quiet", "--json"]);
        if (run.ExitCode != 0) throw new InvalidOperationException("the fixture's run failed: " + run.Stderr + run.Stdout);
        RunPath = run.Json.GetProperty("run_dir").GetString()!;
        Result = JsonDocument.Parse(File.ReadAllText(Path.Combine(RunPath, "result.json"))).RootElement.Clone();
        Plan = JsonDocument.Parse(File.ReadAllText(Path.Combine(RunPath, "plan.json"))).RootElement.Clone();
    }

    public SyntheticFashionMnist Data { get; } = new();

    public string RunPath { get; }

    public JsonElement Result { get; }

    public JsonElement Plan { get; }

    /// <summary>A fresh output path under the data folder.</summary>
    public string Output(string name) => Path.Combine(Data.Folder, "exports", Guid.NewGuid().ToString("N"), name);

    public void Dispose() => Data.Dispose();
}
