using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Xunit;

namespace Veil.Actors.Tests.TrainedModels;

/// <summary>`veil evaluate`: on the run's own test split it reproduces the run's reported accuracy, and draws the confusion matrix.</summary>
[Collection(TrainingCollection.Name)]
public class EvaluateTests(TrainedRunFixture run) : IClassFixture<TrainedRunFixture>
{
    [Fact]
    public void Evaluating_on_the_default_test_split_gives_the_accuracy_in_result_json()
    {
        var png = run.Output("confusion.png");
        var evaluate = CliRun.Of("evaluate", "--run", run.RunPath, "--out", png, "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        var json = evaluate.Json;
        Assert.Equal(run.Result.GetProperty("TestAccuracy").GetDouble(), json.GetProperty("accuracy").GetDouble());
        Assert.Equal(300, json.GetProperty("examples").GetInt64());
        var classes = json.GetProperty("classes").EnumerateArray().ToList();
        Assert.Equal(10, classes.Count);
        Assert.Equal(300, classes.Sum(c => c.GetProperty("examples").GetInt64()));
        Assert.All(classes, c => Assert.InRange(c.GetProperty("recall").GetDouble(), 0, 1));
        var bytes = File.ReadAllBytes(png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
    }

    [Fact]
    public void Evaluating_on_a_labelled_folder_counts_its_examples()
    {
        var folder = run.Output("labelled");
        Veil.DataLoading.Sources.ImageFolderWriter.Write(Veil.DataLoading.Datasets.SyntheticImageDataset.CreateSplits(10, 40, seed: 5).Test, folder,
            Veil.DataLoading.Sources.ImageFileFormat.Png);
        var evaluate = CliRun.Of("evaluate", "--run", run.RunPath, "--source", folder, "--out", run.Output("c.png"), "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        Assert.Equal(40, evaluate.Json.GetProperty("examples").GetInt64());
        Assert.True(evaluate.Json.GetProperty("accuracy").GetDouble() > 0.5, "a learnable set the run learnt, fed as the test split is");
    }
}
