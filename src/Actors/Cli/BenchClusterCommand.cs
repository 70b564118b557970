using System.CommandLine;
using Veil.Actors.Benchmarks;
using Veil.Actors.Configuration;

namespace Veil.Actors.Cli;

/// <summary>`veil bench cluster`: examples/s of real coordinator + worker processes on 127.0.0.1, per cluster size.</summary>
public static class BenchClusterCommand
{
    public static Command Create(TextWriter stdout)
    {
        var nodes = new Option<string>(
            "--nodes") { Description = "Cluster sizes (worker nodes), comma-separated (default 1,2,3).", DefaultValueFactory = _ => "1,2,3" };
        var steps = CliOptions.Ranged<int>("--steps", "Steps per run (default 8; the first is warm-up).", v => v is >= 2 and <= 100_000, "[2, 100000]");
        steps.DefaultValueFactory = _ => 8;
        var batch = CliOptions.Ranged<int>("--batch", "Expected logical batch L (default 4096).", v => v is >= 1 and <= 1_000_000, "[1, 1000000]");
        batch.DefaultValueFactory = _ => 4096;
        var threads = CliOptions.Ranged<int>("--threads", "Torch threads per worker node (default 1).", v => v is >= 1 and <= 1024, "[1, 1024]");
        threads.DefaultValueFactory = _ => 1;
        var model = new Option<string>("--model")
        {
            Description = "Model: " + string.Join(" | ", TrainingSettings.Models) + " (default tanh-cnn).",
            DefaultValueFactory = _ => "tanh-cnn",
        };
        model.AcceptOnlyFromAmong(TrainingSettings.Models.ToArray());
        var microBatch = CliOptions.Ranged<int>(
            "--micro-batch", "Examples per micro-batch on a worker (default 256; 64 suits resnet18-gn-32's memory).", v => v is >= 1 and <= 1 << 20,
            "[1, 1048576]");
        microBatch.DefaultValueFactory = _ => 256;
        var examples = CliOptions.Ranged<int>(
            "--train-examples",
            "Training examples N: the first N of Fashion-MNIST, or N SYNTHETIC 3×32×32 images (synthetic:cifar) for 32×32 models (default 60000).",
            v => v is >= 100 and <= 60000, "[100, 60000]");
        examples.DefaultValueFactory = _ => 60000;
        var project = new Option<bool>("--project")
        {
            Description = "Fit a cost model (compute per example, fixed cost per step, time per byte; latency per hop assumed) to the measured " +
                "points and print its examples/s for 8, 16 and 64 nodes on 10, 25 and 100 Gb/s links (docs/cluster.md).",
        };
        var local = new Option<bool>("--local")
        {
            Description = "Also run the same training in one process without the cluster (same threads): the baseline of the cluster's fixed " +
                "cost per step (local_s_per_step, overhead_1_node).",
        };
        var json = CliOptions.Json();
        var command = new Command(
            "cluster",
            "Examples/s of 1, 2, 3 worker processes on 127.0.0.1 and the speed-up; JSON, " +
            "asserts nothing.") { nodes, steps, batch, threads, model, microBatch, examples, project, local, json };
        command.SetAction(p =>
        {
            var sizes = (p.GetValue(nodes) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(
                    s =>
                        int.TryParse(s, out var n) && n is >= 1 and <= 64
                            ? n
                            : throw new CliUsageException($"--nodes {s}: expected integers in [1, 64], e.g. 1,2,3"))
                    .ToList();
            var bench = new ClusterBenchmark(
                p.GetValue(model)!, p.GetValue(batch), p.GetValue(steps), p.GetValue(threads), p.GetValue(microBatch), p.GetValue(examples),
                p.GetValue(json) ? TextWriter.Null : stdout);
            var results = sizes.Select(bench.Run).ToList();
            var baseline = p.GetValue(local) ? bench.Run(0) : null;
            double? Rate(int n) => results.FirstOrDefault(r => r.Nodes == n)?.ExamplesPerSecond;
            var speedup2 = Rate(1) is { } one && Rate(2) is { } two ? two / one : (double?)null;
            stdout.WriteLine(JsonLine.Of(
                (
                    "results",
                    results.Select(
                        r =>
                            new (string, object?)[]
                            {
                                ("nodes", r.Nodes),
                                ("examples_per_s", r.ExamplesPerSecond),
                                ("s_per_step", r.SecondsPerStep),
                                ("bytes_per_step", r.BytesPerStep),
                                ("computed_bytes_per_step", r.ComputedBytesPerStep),
                                ("step_seconds", r.StepSeconds.Select(x => (x.Part, (object?)x.Seconds)).ToArray()),
                                ("cpu_s_per_step", r.CpuSecondsPerStep),
                                ("cores_in_use", r.CoresInUse),
                                ("cpu", r.Cpu.Select(c => new (string, object?)[]
                                {
                                    ("process", c.Role), ("cpu_s_per_step", c.SecondsPerStep),
                                    ("threads", c.Threads.Select(t => (t.Name, (object?)t.SecondsPerStep)).ToArray()),
                                })),
                            })),
                ("speedup_2", speedup2),
                ("local_s_per_step", baseline?.SecondsPerStep),
                ("local_cpu_s_per_step", baseline?.CpuSecondsPerStep),
                ("overhead_1_node", baseline is not null && results.FirstOrDefault(r => r.Nodes == 1) is { } single
                    ? single.SecondsPerStep / baseline.SecondsPerStep - 1 : null),
                ("bytes_per_step", results.FirstOrDefault(r => r.Nodes == 2)?.BytesPerStep ?? results.Last().BytesPerStep),
                ("model", p.GetValue(model)), ("batch", p.GetValue(batch)), ("steps", p.GetValue(steps)), ("threads_per_node", p.GetValue(threads)),
                ("micro_batch", p.GetValue(microBatch)),
                ("data", ClusterBenchmark.TrainsOnSyntheticCifar(p.GetValue(model)!) ? "synthetic:cifar (SYNTHETIC, not real data)" : "fashion-mnist"),
                (
                    "bytes_per_step_is",
                    "measured: the coordinator's serialised cluster messages, sent + received, over the run / its " +
                    "steps (Akka's envelope not counted); computed_bytes_per_step = 2 × 4 B × parameters (one copy out, one sum in)"),
                ("projection", p.GetValue(project) ? ClusterProjection.Of(results, p.GetValue(batch), Environment.ProcessorCount) : null),
                ("cores", Environment.ProcessorCount)));
            return ExitCodes.Ok;
        });
        return command;
    }
}
