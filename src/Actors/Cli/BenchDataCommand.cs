using System.CommandLine;
using Veil.DataLoading.Benchmarks;

namespace Veil.Actors.Cli;

/// <summary>`veil bench data`: decode throughput of a source through the real prefetcher; JSON, asserts nothing.</summary>
public static class BenchDataCommand
{
    public static Command Create(TextWriter stdout)
    {
        var source = new Option<string>(
            "--source") { Description = "fashion-mnist, an image folder, or tar shards (folder, glob or {a..b} range).", Required = true };
        var threads = CliOptions.Ranged<int>("--decode-threads", "Decode tasks K (default 2).", v => v is > 0 and <= 1024, "[1, 1024]");
        threads.DefaultValueFactory = _ => 2;
        var images = CliOptions.Ranged<int>("--images", "About how many images to decode (default 20000).", v => v is > 0, "[1, ∞)");
        images.DefaultValueFactory = _ => 20000;
        var batch = CliOptions.Ranged<int>("--batch", "Expected Poisson batch size per step (default 256).", v => v is > 0, "[1, ∞)");
        batch.DefaultValueFactory = _ => 256;
        var microBatch = CliOptions.Ranged<int>("--micro-batch", "Examples per decoded micro-batch (default 64).", v => v is > 0, "[1, ∞)");
        microBatch.DefaultValueFactory = _ => 64;
        var json = CliOptions.Json();
        var command = new Command(
            "data", "Decode throughput (images/s, MB/s) of a data source; JSON, asserts nothing.") { source, threads, images, batch, microBatch, json };
        command.SetAction(p =>
        {
            var r = DecodeBenchmark.Run(p.GetValue(source)!, p.GetValue(threads), p.GetValue(images), p.GetValue(batch), p.GetValue(microBatch));
            if (!p.GetValue(json))
                stdout.WriteLine(
                    $"{r.Source}: {r.Images} images in {r.Seconds:F2} s with {r.DecodeThreads} decode threads: " +
                    $"{r.ImagesPerSecond:F0} images/s, {r.MegabytesPerSecond:F1} MB/s (open {r.OpenSeconds:F2} s)");
            stdout.WriteLine(JsonLine.Of(("images_per_s", r.ImagesPerSecond), ("decode_threads", r.DecodeThreads), ("mb_per_s", r.MegabytesPerSecond),
                ("benchmark", "data"), ("source", r.Source), ("dataset_size", r.DatasetSize), ("images", r.Images), ("skipped", r.Skipped),
                ("seconds", r.Seconds), ("open_seconds", r.OpenSeconds), ("micro_batch", r.MicroBatchSize), ("processor_count", Environment.ProcessorCount)));
            return ExitCodes.Ok;
        });
        return command;
    }
}
