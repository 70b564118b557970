using System.Globalization;
using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;
using Xunit;

namespace Veil.Actors.Tests.TrainedModels;

/// <summary>`veil predict`: one row per image, decoded as the test split is, and an image the model cannot take is named, not resized.</summary>
[Collection(TrainingCollection.Name)]
public class PredictTests(TrainedRunFixture run) : IClassFixture<TrainedRunFixture>
{
    [Fact]
    public void Predicting_on_a_png_folder_gives_one_row_per_file_with_its_class_and_probabilities()
    {
        var folder = run.Output("images");
        var images = SyntheticImageDataset.CreateSplits(30, 12, seed: 3).Test;
        ImageFolderWriter.Write(images, folder, ImageFileFormat.Png);
        var files = Directory.EnumerateFiles(folder, "*.png", SearchOption.AllDirectories).ToHashSet();
        Assert.Equal(12, files.Count);

        var predict = CliRun.Of("predict", "--run", run.RunPath, "--source", folder, "--csv");
        Assert.True(predict.ExitCode == 0, predict.Stderr);
        var lines = predict.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("file,class,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(files.Order(StringComparer.Ordinal), rows.Select(r => r[0]));
        var correct = 0;
        foreach (var r in rows)
        {
            var p = r.Skip(2).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(1.0, p.Sum(), 5);
            var predicted = int.Parse(r[1], CultureInfo.InvariantCulture);
            Assert.Equal(p.Max(), p[predicted]);
            // The image folder's class folders are named by label; a trained model gets most of this learnable set right.
            if (Path.GetFileName(Path.GetDirectoryName(r[0]))!.EndsWith(predicted.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)) correct++;
        }
        Assert.True(correct > rows.Count / 2, $"{correct} of {rows.Count} right (chance is 1 in 10): the images were not fed as the model was trained");
    }

    [Fact]
    public void Predicting_on_one_image_file_and_as_json_gives_one_prediction()
    {
        var folder = run.Output("one");
        ImageFolderWriter.Write(SyntheticImageDataset.CreateSplits(10, 10, seed: 4).Test, folder, ImageFileFormat.Png);
        var file = Directory.EnumerateFiles(folder, "*.png", SearchOption.AllDirectories).First();
        var predict = CliRun.Of("predict", "--run", run.RunPath, "--source", file, "--json");
        Assert.True(predict.ExitCode == 0, predict.Stderr);
        var only = Assert.Single(predict.Json.GetProperty("predictions").EnumerateArray());
        Assert.Equal(file, only.GetProperty("file").GetString());
        Assert.Equal(10, only.GetProperty("probabilities").GetArrayLength());
    }

    [Fact]
    public void An_image_of_the_wrong_shape_is_refused_naming_the_file_and_the_expected_shape()
    {
        var folder = run.Output("mixed");
        ImageFolderWriter.Write(SyntheticImageDataset.CreateSplits(10, 10, seed: 5).Test, folder, ImageFileFormat.Png);
        var odd = Path.Combine(folder, "odd-one.png");
        File.WriteAllBytes(odd, SkiaImageCodec.Encode(new ImageShape(1, 32, 32), new byte[32 * 32], ImageFileFormat.Png));

        var predict = CliRun.Of("predict", "--run", run.RunPath, "--source", folder);
        Assert.Equal(2, predict.ExitCode);
        Assert.Contains(odd, predict.Stderr);
        Assert.Contains("1×32×32", predict.Stderr);
        Assert.Contains("1×28×28", predict.Stderr);
    }
}
