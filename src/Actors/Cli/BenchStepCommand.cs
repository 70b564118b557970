using System.CommandLine;
using Veil.Compute.Benchmarks;
using Veil.Compute.Clipping;
using Veil.Compute.Models;

namespace Veil.Actors.Cli;

/// <summary>`veil bench step`: cost of a DP micro-batch (clipped per-example sum) against a normal step and the naive loop.</summary>
public static class BenchStepCommand
{
    public static Command Create(TextWriter stdout)
    {
        var model = new Option<string>(
            "--model") { Description = "Model: " + string.Join(" | ", ModelCatalog.Names) + " (default tanh-cnn).", DefaultValueFactory = _ => "tanh-cnn" };
        model.AcceptOnlyFromAmong(ModelCatalog.Names.ToArray());
        var examples = CliOptions.Ranged<int>("--micro-batch", "Examples per micro-batch (default 256).", v => v is > 0 and <= 65536, "[1, 65536]");
        examples.Aliases.Add("--batch");
        examples.DefaultValueFactory = _ => 256;
        var threads = CliOptions.Ranged<int>("--threads", "Torch threads (default: all cores).", v => v is > 0 and <= 1024, "[1, 1024]");
        threads.DefaultValueFactory = _ => Environment.ProcessorCount;
        var iterations = CliOptions.Ranged<int>(
            "--iterations", "Timed repetitions of each step, interleaved, after one warm-up; medians reported (default 10).", v => v is > 0 and <= 1000,
            "[1, 1000]");
        iterations.DefaultValueFactory = _ => 10;
        var method = new Option<string>("--method")
        {
            Description = "DP path: fast (ghost/materialise per layer + book-keeping) | materialised | naive (default fast).",
            DefaultValueFactory = _ => "fast",
        };
        method.AcceptOnlyFromAmong("fast", "materialised", "naive");
        var naive = new Option<bool>("--no-naive") { Description = "Skip the (slow) naive per-example loop." };
        var profile = new Option<bool>("--profile")
        {
            Description = "Also time each phase of both steps (forward, backward, " +
            "per layer norms and clipped sum) and report the minimum ms per phase over the repetitions.",
        };
        var standardised = new Option<bool>("--weight-standardisation")
        {
            Description = "Build the model with weight-standardised convolutions (veil.model.weight-standardisation = on; " +
            string.Join(", ", ModelCatalog.WeightStandardisable) + ").",
        };
        var perUser = CliOptions.Ranged<int>(
            "--examples-per-user", "User-level DP step: every k consecutive examples are one user, clipped as one (default 0: example level).",
            v => v is >= 0 and <= 65536, "[0, 65536]");
        perUser.DefaultValueFactory = _ => 0;
        var json = CliOptions.Json();
        var command = new Command(
            "step",
            "Time one DP micro-batch against a non-private step; JSON, " +
            "asserts nothing.") { model, examples, threads, iterations, method, naive, profile, standardised, perUser, json };
        command.SetAction(p =>
        {
            var clipping = p.GetValue(
                method) switch { "materialised" => ClippingMethod.Materialised, "naive" => ClippingMethod.Naive, _ => ClippingMethod.Fast };
            var r = StepBenchmark.Run(
                p.GetValue(model)!, p.GetValue(examples), p.GetValue(threads), p.GetValue(iterations), includeNaive: !p.GetValue(naive), method: clipping,
                profile: p.GetValue(profile), weightStandardisation: p.GetValue(standardised), examplesPerUser: p.GetValue(perUser));
            if (!p.GetValue(json))
                stdout.WriteLine(
                    $"{r.Model}{(p.GetValue(standardised) ? " (weight-standardised)" : "")}, " +
                    $"{r.Examples} examples, {r.Threads} threads: non-private {r.NonPrivateStepMs:F1} ms " +
                    $"[{r.NonPrivateMinMs:F1}–{r.NonPrivateMaxMs:F1}], DP {r.ClippedSumMs:F1} ms [{r.ClippedMinMs:F1}–{r.ClippedMaxMs:F1}] " +
                    $"({r.ClippedOverNonPrivate:F2}×, {r.Method}), naive loop {r.NaiveLoopMs:F1} ms ({r.NaiveOverNonPrivate:F1}×); " +
                    $"peak RSS {r.PeakRssNonPrivateMb:F0} / {r.PeakRssClippedMb:F0} MB; layers {r.Layers}");
            stdout.WriteLine(JsonLine.Of(
                ("model", r.Model), ("weight_standardisation", p.GetValue(standardised)), ("micro_batch", r.Examples), ("nonprivate_ms", r.NonPrivateStepMs),
                ("dp_ms", r.ClippedSumMs),
                ("ratio", r.ClippedOverNonPrivate), ("naive_ratio", r.NaiveOverNonPrivate),
                ("peak_rss_nonprivate_mb", r.PeakRssNonPrivateMb), ("peak_rss_dp_mb", r.PeakRssClippedMb), ("method", r.Method),
                ("threads", r.Threads), ("iterations", r.Iterations), ("examples_per_user", p.GetValue(perUser)),
                ("nonprivate_ms_min", r.NonPrivateMinMs), ("nonprivate_ms_max", r.NonPrivateMaxMs), ("dp_ms_min", r.ClippedMinMs),
                ("dp_ms_max", r.ClippedMaxMs), ("ratio_of_minimums", r.ClippedMinMs / r.NonPrivateMinMs),
                ("naive_ms", r.NaiveLoopMs), ("layers", r.Layers),
                ("profile_ms", r.Phases is null ? null : r.Phases.Select(f => (f.Phase, (object?)f.Ms)).ToArray())));
            return ExitCodes.Ok;
        });
        return command;
    }
}
