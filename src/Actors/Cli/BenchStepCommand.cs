using System.CommandLine;
using Veil.Compute.Benchmarks;
using Veil.Compute.Models;

namespace Veil.Actors.Cli;

/// <summary>`veil bench step`: cost of a DP micro-batch (clipped per-example sum) against a normal step and the naive loop.</summary>
public static class BenchStepCommand
{
    public static Command Create(TextWriter stdout)
    {
        var model = new Option<string>("--model") { Description = "Model: " + string.Join(" | ", ModelCatalog.Names) + " (default tanh-cnn).", DefaultValueFactory = _ => "tanh-cnn" };
        model.AcceptOnlyFromAmong(ModelCatalog.Names.ToArray());
        var examples = CliOptions.Ranged<int>("--batch", "Examples per micro-batch (default 256).", v => v is > 0 and <= 65536, "[1, 65536]");
        examples.DefaultValueFactory = _ => 256;
        var threads = CliOptions.Ranged<int>("--threads", "Torch threads (default: all cores).", v => v is > 0 and <= 1024, "[1, 1024]");
        threads.DefaultValueFactory = _ => Environment.ProcessorCount;
        var iterations = CliOptions.Ranged<int>("--iterations", "Timed repetitions; medians reported (default 7).", v => v is > 0 and <= 1000, "[1, 1000]");
        iterations.DefaultValueFactory = _ => 7;
        var naive = new Option<bool>("--no-naive") { Description = "Skip the (slow) naive per-example loop." };
        var json = CliOptions.Json();
        var command = new Command("step", "Time one DP micro-batch against a non-private step; JSON, asserts nothing.") { model, examples, threads, iterations, naive, json };
        command.SetAction(p =>
        {
            var r = StepBenchmark.Run(p.GetValue(model)!, p.GetValue(examples), p.GetValue(threads), p.GetValue(iterations), includeNaive: !p.GetValue(naive));
            if (!p.GetValue(json))
                stdout.WriteLine($"{r.Model}, {r.Examples} examples, {r.Threads} threads: non-private {r.NonPrivateStepMs:F1} ms, DP clipped sum {r.ClippedSumMs:F1} ms ({r.ClippedOverNonPrivate:F2}×), naive loop {r.NaiveLoopMs:F1} ms");
            stdout.WriteLine(JsonLine.Of(
                ("benchmark", "step"), ("model", r.Model), ("examples", r.Examples), ("threads", r.Threads), ("iterations", r.Iterations),
                ("non_private_ms", r.NonPrivateStepMs), ("dp_clipped_sum_ms", r.ClippedSumMs), ("naive_loop_ms", r.NaiveLoopMs),
                ("dp_over_non_private", r.ClippedOverNonPrivate)));
            return ExitCodes.Ok;
        });
        return command;
    }
}
