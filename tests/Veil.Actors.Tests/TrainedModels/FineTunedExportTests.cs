using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp.PyBridge;
using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Veil.Actors.TrainedModels;
using Veil.Compute.Models;
using Veil.Compute.Parameters;
using Veil.Compute.Transfer;
using Xunit;
using static Veil.Actors.Tests.Transfer.TinyPretraining;

namespace Veil.Actors.Tests.TrainedModels;

/// <summary>A fine-tuned run's export is the whole model, frozen parts included; a checkpoint exports its own parameters.</summary>
[Collection(TrainingCollection.Name)]
public class FineTunedExportTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void A_fine_tuned_run_exports_its_frozen_backbone_and_evaluates_to_its_reported_accuracy()
    {
        var backbone = Pretrain(_data, Subset);
        var train = CliRun.Of(["train", .. _data.Settings([.. Subset, $"veil.init.from={backbone}", "veil.init.trainable=last-layer"]), "--quiet", "--json"]);
        Assert.True(train.ExitCode == 0, train.Stderr);
        var runPath = train.Json.GetProperty("run_dir").GetString()!;

        var evaluate = CliRun.Of("evaluate", "--run", runPath, "--out", Path.Combine(_data.Folder, "c.png"), "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        Assert.Equal(train.Json.GetProperty("test_accuracy").GetDouble(), evaluate.Json.GetProperty("accuracy").GetDouble());

        var file = Path.Combine(_data.Folder, "fine-tuned.safetensors");
        Assert.True(CliRun.Of("export", "--run", runPath, "--out", file).ExitCode == 0);
        using var fresh = ModelCatalog.Create("mlp", seed: 777, classes: 10);
        fresh.load_safetensors(file);
        // The frozen layer is the backbone's, bit for bit; the head is the run's released one.
        var pretrained = BackboneStore.Load(backbone);
        var fc1 = pretrained.Weights.AsSpan(0, 784 * 32).ToArray();
        Assert.Equal("fc1.weight", pretrained.Manifest.Parameters[0].Name);
        Assert.Equal(fc1, fresh.named_parameters().First(p => p.name == "fc1.weight").parameter.reshape(-1).data<float>().ToArray());
        var head = Veil.Actors.Training.RunFolder.ReadFloats(Path.Combine(runPath, "parameters.f32"));
        var exportedHead = fresh.named_parameters().Where(p => p.name.StartsWith("fc2.", StringComparison.Ordinal))
            .SelectMany(p => p.parameter.reshape(-1).data<float>().ToArray()).ToArray();
        Assert.Equal(head, exportedHead);

        var metadata = Header(file).GetProperty("__metadata__");
        Assert.Contains("trainable: last-layer", metadata.GetProperty("backbone").GetString());
    }

    [Fact]
    public void A_checkpoint_exports_the_parameters_it_holds_and_says_after_how_many_steps()
    {
        var train = CliRun.Of(["train", .. _data.Settings("veil.checkpoint.every-steps=3", "veil.checkpoint.keep=10"), "--quiet", "--json"]);
        Assert.True(train.ExitCode == 0, train.Stderr);
        var runPath = train.Json.GetProperty("run_dir").GetString()!;
        var file = Path.Combine(_data.Folder, "step-3.safetensors");
        var export = CliRun.Of("export", "--run", runPath, "--checkpoint", "3", "--out", file);
        Assert.True(export.ExitCode == 0, export.Stderr);

        var metadata = Header(file).GetProperty("__metadata__");
        Assert.Equal("3", metadata.GetProperty("steps").GetString());
        Assert.Equal("checkpoint 3", metadata.GetProperty("parameters").GetString());
        var trained = TrainedRun.Open(runPath);
        using var fresh = ModelCatalog.Create("mlp", seed: 1, classes: 10);
        fresh.load_safetensors(file);
        Assert.Equal(trained.LoadCheckpoint("3").Parameters, ParameterVector.Flatten(fresh));
        Assert.NotEqual(Veil.Actors.Training.RunFolder.ReadFloats(Path.Combine(runPath, "parameters.f32")), ParameterVector.Flatten(fresh));

        var unknown = CliRun.Of("export", "--run", runPath, "--checkpoint", "5", "--out", file + ".2");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("step-000000003.ckpt", unknown.Stderr);
    }

    private static JsonElement Header(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, length)).RootElement.Clone();
    }
}
