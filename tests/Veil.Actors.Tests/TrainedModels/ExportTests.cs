using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using TorchSharp.PyBridge;
using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Veil.Actors.TrainedModels;
using Veil.Actors.Training;
using Veil.Compute.Models;
using Veil.Ledger.Store;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Actors.Tests.TrainedModels;

/// <summary>`veil export`: the file holds the run's model under its module names and its privacy guarantee, and nothing leaves a run whose ledger does not verify.</summary>
[Collection(TrainingCollection.Name)]
public class ExportTests(TrainedRunFixture run) : IClassFixture<TrainedRunFixture>
{
    [Theory]
    [InlineData("safetensors")]
    [InlineData("pytorch")]
    public void An_export_loaded_into_a_fresh_model_predicts_bit_identically_to_the_run_s_own_model(string format)
    {
        var file = run.Output("model." + format);
        var export = CliRun.Of("export", "--run", run.RunPath, "--format", format, "--out", file);
        Assert.True(export.ExitCode == 0, export.Stderr);

        var trained = TrainedRun.Open(run.RunPath);
        using var own = trained.CreateModel();
        // Another seed: every weight that matches below came from the file, none from the initialisation.
        using var fresh = ModelCatalog.Create("mlp", seed: 12345, classes: 10);
        if (format == "safetensors") fresh.load_safetensors(file);
        else fresh.load_py(file);

        using var data = RunData.Load(trained.Training);
        var test = data.TestBatch();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        own.eval();
        fresh.eval();
        var x = tensor(test.Inputs, [test.Count, 1, 28, 28]);
        var expected = own.call(x);
        var actual = fresh.call(x);
        Assert.True(expected.eq(actual).all().item<bool>(), "the loaded model's logits differ from the run's");
        using var unloaded = ModelCatalog.Create("mlp", seed: 12345, classes: 10);
        Assert.False(unloaded.call(x).eq(expected).all().item<bool>()); // the comparison can fail
    }

    [Fact]
    public void The_safetensors_header_lists_every_parameter_and_carries_the_run_s_privacy_metadata()
    {
        var file = run.Output("model.safetensors");
        Assert.Equal(0, CliRun.Of("export", "--run", run.RunPath, "--out", file).ExitCode);

        // Read as the format's spec says, with nothing of Veil's or PyBridge's: u64 LE header length, JSON header, buffer.
        var bytes = File.ReadAllBytes(file);
        var headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength)).RootElement;
        var buffer = bytes.Length - 8 - headerLength;

        using var model = TrainedRun.Open(run.RunPath).CreateModel();
        var expected = model.named_parameters().Select(p => (p.name, Shape: p.parameter.shape)).ToList();
        var tensors = header.EnumerateObject().Where(p => p.Name != "__metadata__").ToList();
        Assert.Equal(expected.Select(e => e.name), tensors.Select(t => t.Name));
        long next = 0;
        foreach (var (t, e) in tensors.Zip(expected))
        {
            Assert.Equal("F32", t.Value.GetProperty("dtype").GetString());
            Assert.Equal(e.Shape, t.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray());
            var offsets = t.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            Assert.Equal(next, offsets[0]);
            Assert.Equal(e.Shape.Aggregate(4L, (a, b) => a * b), offsets[1] - offsets[0]);
            next = offsets[1];
        }
        Assert.Equal(buffer, next);
        // The first weight, read straight from the buffer, is the model's.
        var firstWeight = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)(8 + headerLength)));
        Assert.Equal(model.named_parameters().First().parameter.reshape(-1)[0].item<float>(), firstWeight);

        var meta = header.GetProperty("__metadata__");
        Assert.All(meta.EnumerateObject(), m => Assert.Equal(JsonValueKind.String, m.Value.ValueKind)); // the spec allows strings only
        string Meta(string key) => meta.GetProperty(key).GetString()!;
        Assert.Equal("mlp", Meta("architecture"));
        Assert.Equal("[1,28,28]", Meta("input_shape"));
        Assert.Equal("10", Meta("classes"));
        Assert.Equal(10, JsonDocument.Parse(Meta("architecture_args")).RootElement.GetProperty("classes").GetInt32());
        var normalisation = JsonDocument.Parse(Meta("normalisation")).RootElement;
        Assert.Equal(0.286, normalisation.GetProperty("mean")[0].GetDouble(), 6);
        Assert.Equal(0.353, normalisation.GetProperty("std")[0].GetDouble(), 6);
        Assert.Equal(run.Result.GetProperty("Epsilon").GetDouble(), double.Parse(Meta("epsilon"), System.Globalization.CultureInfo.InvariantCulture), 12);
        Assert.Equal(run.Result.GetProperty("Delta").GetDouble(), double.Parse(Meta("delta"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(run.Result.GetProperty("Accountant").GetString(), Meta("accountant"));
        Assert.Equal(Path.GetFullPath(run.Data.Ledger), Meta("ledger"));
        Assert.Equal(run.Plan.GetProperty("data_scope").GetString(), Meta("data_scope"));
        using var store = SqliteLedgerStore.Open(run.Data.Ledger, createIfMissing: false);
        var records = store.ReadAll().Where(r => r.RunId == Path.GetFileName(run.RunPath)).ToList();
        Assert.Equal(records[0].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), Meta("ledger_first_sequence"));
        Assert.Equal(records[^1].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), Meta("ledger_last_sequence"));
        Assert.Equal(12, records.Count);
    }

    [Fact]
    public void Export_says_it_spent_no_privacy_and_adds_nothing_to_the_ledger()
    {
        using var before = SqliteLedgerStore.Open(run.Data.Ledger, createIfMissing: false);
        var records = before.ReadAll().Count;
        before.Dispose();
        var export = CliRun.Of("export", "--run", run.RunPath, "--out", run.Output("model.safetensors"));
        Assert.Equal(0, export.ExitCode);
        Assert.Contains("spent no privacy", export.Stdout);
        using var after = SqliteLedgerStore.Open(run.Data.Ledger, createIfMissing: false);
        Assert.Equal(records, after.ReadAll().Count);
    }

    [Fact]
    public void An_unknown_format_exits_2_naming_the_valid_ones()
    {
        var export = CliRun.Of("export", "--run", run.RunPath, "--format", "onnx", "--out", run.Output("model.onnx"));
        Assert.Equal(2, export.ExitCode);
        Assert.Contains("onnx", export.Stderr);
        Assert.Contains("safetensors", export.Stderr);
        Assert.Contains("pytorch", export.Stderr);
    }

    [Fact]
    public void A_run_folder_without_parameters_exits_2_naming_the_file_and_saying_to_resume()
    {
        var copy = Path.Combine(run.Data.Folder, "unfinished", Path.GetFileName(run.RunPath));
        CopyFolder(run.RunPath, copy);
        File.Delete(Path.Combine(copy, "parameters.f32"));
        var file = run.Output("model.safetensors");
        var export = CliRun.Of("export", "--run", copy, "--out", file);
        Assert.Equal(2, export.ExitCode);
        Assert.Contains("parameters.f32", export.Stderr);
        Assert.Contains("did not finish", export.Stderr);
        Assert.Contains("--resume", export.Stderr);
        Assert.False(File.Exists(file));
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
