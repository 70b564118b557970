using System.CommandLine;
using Veil.Actors.Benchmarks;

namespace Veil.Actors.Cli;

/// <summary>`veil bench overlap`: is decoding hidden behind the gradients? Live vs preloaded, same steps.</summary>
public static class BenchOverlapCommand
{
    public static Command Create(TextWriter stdout)
    {
        var source = new Option<string>(
            "--source") { Description = "fashion-mnist (default), an image folder, or tar shards.", DefaultValueFactory = _ => "fashion-mnist" };
        var dataPath = new Option<string?>("--data-path") { Description = "Folder of the Fashion-MNIST IDX files (default: Debian's)." };
        var model = new Option<string>("--model") { Description = "Model (default tanh-cnn).", DefaultValueFactory = _ => "tanh-cnn" };
        var steps = CliOptions.Ranged<int>("--steps", "Steps per variant (default 20).", v => v is > 0 and <= 100_000, "[1, 100000]");
        steps.DefaultValueFactory = _ => 20;
        var batch = CliOptions.Ranged<int>("--batch", "Expected batch per step (default 1024).", v => v > 0, "[1, ∞)");
        batch.DefaultValueFactory = _ => 1024;
        var microBatch = CliOptions.Ranged<int>("--micro-batch", "Examples per micro-batch (default 256).", v => v > 0, "[1, ∞)");
        microBatch.DefaultValueFactory = _ => 256;
        var threads = CliOptions.Ranged<int>("--decode-threads", "Decode tasks (default 1).", v => v is > 0 and <= 64, "[1, 64]");
        threads.DefaultValueFactory = _ => 1;
        var workers = CliOptions.Ranged<int>("--workers", "Gradient workers (default 1).", v => v is > 0 and <= 64, "[1, 64]");
        workers.DefaultValueFactory = _ => 1;
        var torchThreads = CliOptions.Ranged<int>("--threads", "Torch threads per worker (default: cores / workers).", v => v is >= 0 and <= 1024, "[0, 1024]");
        var json = CliOptions.Json();
        var command = new Command(
            "overlap",
            "Training steps with live decoding vs preloaded data; JSON, " +
            "asserts nothing.") { source, dataPath, model, steps, batch, microBatch, threads, workers, torchThreads, json };
        command.SetAction(p =>
        {
            var r = OverlapBenchmark.Run(
                p.GetValue(source)!, p.GetValue(dataPath), p.GetValue(model)!, p.GetValue(steps), p.GetValue(batch), p.GetValue(microBatch),
                p.GetValue(threads), p.GetValue(workers), p.GetValue(torchThreads));
            if (!p.GetValue(json))
                stdout.WriteLine(
                    $"{r.Source}, {r.Model}: live {r.LiveMsPerStep:F0} ms/step, preloaded {r.PreloadedMsPerStep:F0} ms/step, " +
                    $"workers idle {r.WorkerIdleFraction:P0} (preloaded {r.WorkerIdleFractionPreloaded:P0})");
            stdout.WriteLine(JsonLine.Of(("live_ms_per_step", r.LiveMsPerStep), ("preloaded_ms_per_step", r.PreloadedMsPerStep),
                ("ratio", r.LiveMsPerStep / r.PreloadedMsPerStep), ("worker_idle_fraction", r.WorkerIdleFraction),
                ("worker_idle_fraction_preloaded", r.WorkerIdleFractionPreloaded), ("benchmark", "overlap"), ("source", r.Source),
                ("model", r.Model), ("steps", r.Steps), ("decode_threads", r.DecodeThreads), ("workers", r.Workers), ("torch_threads", r.TorchThreads)));
            return ExitCodes.Ok;
        });
        return command;
    }
}
