using System.CommandLine;
using System.Diagnostics;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;

namespace Veil.Actors.Cli;

/// <summary>
/// `veil data export`: writes Fashion-MNIST as real image files (an image-folder tree) or as
/// WebDataset-style tar shards, so the folder and shard paths are testable without any download.
/// </summary>
public static class DataExportCommand
{
    /// <summary>The `data` verb, holding `export` (more data verbs join it here).</summary>
    public static Command DataGroup(TextWriter stdout) => new("data", "Datasets: export as image folders or tar shards.") { Create(stdout) };

    public static Command Create(TextWriter stdout)
    {
        var from = new Option<string>("--from") { Description = "Dataset to export: fashion-mnist.", Required = true };
        from.AcceptOnlyFromAmong("fashion-mnist");
        var format = new Option<string>(
            "--format") { Description = "folder (one sub-folder per class) | tar (shards of key.cls + key.png|jpg).", Required = true };
        format.AcceptOnlyFromAmong("folder", "tar");
        var output = new Option<string>("--out") { Description = "Output folder (created).", Required = true };
        var shardSize = CliOptions.Ranged<int>("--shard-size", "Examples per tar shard (default 10000).", v => v is > 0, "[1, ∞)");
        shardSize.DefaultValueFactory = _ => 10000;
        var imageFormat = new Option<string>("--image-format") { Description = "png (lossless, default) | jpeg.", DefaultValueFactory = _ => "png" };
        imageFormat.AcceptOnlyFromAmong("png", "jpeg", "jpg");
        var quality = CliOptions.Ranged<int>("--jpeg-quality", "JPEG quality 1–100 (default 95).", v => v is >= 1 and <= 100, "[1, 100]");
        quality.DefaultValueFactory = _ => 95;
        var split = new Option<string>("--split") { Description = "train (default) | test.", DefaultValueFactory = _ => "train" };
        split.AcceptOnlyFromAmong("train", "test");
        var limit = CliOptions.Ranged<int>("--limit", "Export only the first N examples (default: all).", v => v is > 0, "[1, ∞)");
        var dataPath = new Option<string?>("--data-path") { Description = "Folder with the Fashion-MNIST IDX files (default: Debian's location)." };
        var json = CliOptions.Json();
        var command = new Command("export", "Write a dataset as image files or tar shards.")
        {
            from, format, output, shardSize, imageFormat, quality, split, limit, dataPath, json,
        };
        command.SetAction(p =>
        {
            var splits = FashionMnist.Load(p.GetValue(dataPath));
            ImageDataset data = p.GetValue(split) == "test" ? splits.Test : splits.Train;
            if (p.GetResult(limit) is not null) data = DatasetSubset.First(data, p.GetValue(limit));
            ImageFileFormat image = ImageFileFormats.Parse(p.GetValue(imageFormat)!);
            string outDir = Path.GetFullPath(p.GetValue(output)!);
            var clock = Stopwatch.StartNew();
            int files;
            if (p.GetValue(format) == "folder")
            {
                files = ImageFolderWriter.Write(data, outDir, image, FashionMnist.ClassNames, p.GetValue(quality));
            }
            else
            {
                files = TarShardWriter.Write(
                    data, outDir, p.GetValue(shardSize), image, prefix: "fashion-mnist-" + p.GetValue(split), jpegQuality: p.GetValue(quality))
                    .Count;
            }
            double seconds = clock.Elapsed.TotalSeconds;
            if (!p.GetValue(json))
                stdout.WriteLine($"wrote {data.Count} {data.Name} examples as {p.GetValue(format)} ({image}) to {outDir} in {seconds:F1} s");
            stdout.WriteLine(JsonLine.Of(("command", "data export"), ("from", p.GetValue(from)), ("split", p.GetValue(split)),
                ("format", p.GetValue(format)), ("image_format", image.Extension()), ("examples", data.Count),
                (p.GetValue(format) == "folder" ? "files" : "shards", files), ("out", outDir), ("seconds", seconds)));
            return ExitCodes.Ok;
        });
        return command;
    }
}
