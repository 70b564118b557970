using System.Diagnostics;
using System.Globalization;
using Veil.Actors.Cluster.Hosting;
using Veil.Compute.Models;
using Veil.DataLoading.Sources;
using Veil.Ledger.Store;

namespace Veil.Actors.Benchmarks;

/// <summary>
/// Cluster throughput with real processes on 127.0.0.1: for each cluster size n, a coordinator process
/// (`train` with veil.cluster.enabled) and n worker processes (`node`), each worker with a fixed number of
/// torch threads, train S steps of batch L on Fashion-MNIST (1×28×28 models) or on the SYNTHETIC
/// CIFAR-shaped source synthetic:cifar (3×32×32 models such as resnet18-gn-32; generated, not real data). Throughput is taken from the ledger's append
/// times (steps 1 … S−1, after warm-up and joining): L·(S−1) / (t_last − t_first), L the expected batch.
/// </summary>
public sealed class ClusterBenchmark(string model, int expectedBatch, int steps, int threadsPerNode, int microBatch, int trainExamples, TextWriter log)
{
    /// <param name="BytesPerStep">Measured: the coordinator's serialised cluster messages (sent
    /// + received) over the run, divided by its steps (warm-up and join included).</param>
    /// <param name="ComputedBytesPerStep">2 × 4 B × parameters: one parameter copy out to the tree's root and one reduced sum back,
    /// whatever the number of nodes.</param>
    /// <param name="StepSeconds">The coordinator's mean breakdown of a step (train --json's cluster_step_seconds).</param>
    /// <param name="Parameters">The model's parameter count.</param>
    /// <param name="Cpu">CPU seconds per timed step of each process of the run (coordinator, nodes) and of this benchmark's own
    /// process (which samples them), over the same window as the throughput.</param>
    public sealed record Result(
        int Nodes, double ExamplesPerSecond, double SecondsPerStep, long BytesPerStep, long ComputedBytesPerStep,
        IReadOnlyList<(string Part, double Seconds)> StepSeconds, long Parameters, IReadOnlyList<ProcessCpu> Cpu)
    {
        /// <summary>The run's processes' CPU seconds per step (the benchmark's own left out).</summary>
        public double CpuSecondsPerStep => Cpu.Where(p => p.Role != BenchmarkRole).Sum(p => p.SecondsPerStep);

        /// <summary>Cores the run kept busy on average: its CPU seconds over its wall seconds.</summary>
        public double CoresInUse => CpuSecondsPerStep / SecondsPerStep;
    }

    public const string BenchmarkRole = "benchmark";

    /// <summary>
    /// One cluster size; <paramref name="nodes"/> = 0 runs the same training in one process without the cluster (the local pipeline
    /// with the same threads), the baseline the cluster's fixed cost per step is measured against.
    /// </summary>
    public Result Run(int nodes)
    {
        var folder = Path.Combine(Path.GetTempPath(), "veil-bench-cluster", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var ledger = Path.Combine(folder, "ledger.sqlite");
        var port = LoopbackPort.Free();
        var seed = $"akka.tcp://veil@127.0.0.1:{port}";
        var epochs = (double)steps * expectedBatch / trainExamples;
        string[] data = TrainsOnSyntheticCifar(model)
                ? [
                    "--set", $"veil.data.source=\"{SyntheticSource.Prefix}cifar:{trainExamples}\"", "--set",
                    $"veil.data.test-source=\"{SyntheticSource.Prefix}cifar-test:500\""]
                : ["--set", $"veil.data.train-examples={trainExamples}"];
        string[] common =
        [
            "--set", $"veil.run.dir=\"{Path.Combine(folder, "runs")}\"", "--set", $"veil.privacy.ledger.path=\"{ledger}\"",
            "--set", $"veil.model.name={model}", "--set", "veil.run.seed=3", .. data,
            "--set", "veil.data.test-examples=500", "--set", $"veil.dp.expected-batch-size={expectedBatch}",
            "--set", $"veil.dp.epochs={epochs.ToString("R", CultureInfo.InvariantCulture)}", "--set", "veil.dp.noise-multiplier=1.0",
            "--set", "veil.privacy.budget.epsilon=1000", "--set", $"veil.runtime.threads-per-worker={threadsPerNode}",
            "--set", $"veil.runtime.micro-batch-size={microBatch}", "--set", "veil.checkpoint.every-steps=0", "--set", "veil.checkpoint.every-minutes=0",
        ];
        var processes = new List<Process>();
        using var cpu = new ProcessCpuSampler(TimeSpan.FromMilliseconds(100));
        cpu.Watch(BenchmarkRole, Environment.ProcessId);
        var coordinatorOutput = new System.Collections.Concurrent.ConcurrentQueue<string>();
        try
        {
            var coordinator = nodes == 0
                ? Launch(["train", .. common, "--json"], coordinatorOutput)
                : Launch(["train", .. common, "--set", "veil.cluster.enabled=true", "--set", $"veil.cluster.port={port}",
                    "--set", $"veil.cluster.seed-nodes=[\"{seed}\"]", "--set", $"veil.cluster.min-workers={nodes}", "--json"], coordinatorOutput);
            processes.Add(coordinator);
            cpu.Watch(nodes == 0 ? "local" : "coordinator", coordinator.Id);
            for (var n = 0; n < nodes; n++)
            {
                processes.Add(Launch(["node", "--role", "worker", "--seed-nodes", seed, .. common]));
                cpu.Watch($"node {n + 1}", processes[^1].Id);
            }
            if (!coordinator.WaitForExit(TimeSpan.FromMinutes(30)))
                throw new TimeoutException($"the {nodes}-node benchmark run did not finish within 30 minutes");
            if (coordinator.ExitCode != 0) throw new InvalidOperationException($"the {nodes}-node coordinator exited with {coordinator.ExitCode}");
            using var store = SqliteLedgerStore.Open(ledger, createIfMissing: false);
            var records = store.ReadAll();
            var first = records[0].TimestampUnixMs;
            var last = records[^1].TimestampUnixMs;
            var seconds = Math.Max(1e-3, (last - first) / 1000.0);
            using var probe = ModelCatalog.Create(model, 1);
            var parameters = Veil.Compute.Parameters.ParameterVector.Flatten(probe).LongLength;
            // Per step: one parameter copy out (to the tree's root) and one reduced sum back, 4 bytes a coordinate (+ chunk headers).
            var computed = nodes == 0 ? 0 : 2L * 4 * parameters;
            coordinator.WaitForExit(); // drains the redirected output
            var summary = coordinatorOutput.LastOrDefault(l => l.StartsWith('{'))
                ?? throw new InvalidOperationException($"the {nodes}-node coordinator printed no JSON summary");
            using var parsed = System.Text.Json.JsonDocument.Parse(summary);
            var wire = parsed.RootElement.GetProperty("cluster_wire_bytes_sent").GetInt64() + parsed.RootElement.GetProperty("cluster_wire_bytes_received")
                .GetInt64();
            var breakdown = parsed.RootElement.TryGetProperty("cluster_step_seconds", out var parts) && parts.ValueKind == System.Text.Json.JsonValueKind.Object
                ? parts.EnumerateObject().Where(p => p.Value.ValueKind == System.Text.Json.JsonValueKind.Number)
                    .Select(p => (p.Name, p.Value.GetDouble())).ToList()
                : [];
            var result = new Result(
                nodes, (double)expectedBatch * (records.Count - 1) / seconds, seconds / (records.Count - 1), wire / records.Count, computed, breakdown,
                parameters, cpu.Between(first, last, records.Count - 1));
            log.WriteLine(
                $"bench cluster: {nodes} node(s): {result.ExamplesPerSecond:F0} examples/s, " +
                $"{result.SecondsPerStep:F2} s/step, {result.BytesPerStep} wire bytes/step (computed {computed})");
            return result;
        }
        finally
        {
            foreach (var p in processes)
            {
                if (!p.HasExited && !p.WaitForExit(TimeSpan.FromSeconds(20))) p.Kill(entireProcessTree: true);
                p.Dispose();
            }
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>True for models that take 3×32×32 images: they are benchmarked on synthetic:cifar, not on Fashion-MNIST.</summary>
    public static bool TrainsOnSyntheticCifar(string model)
    {
        using var probe = ModelCatalog.Create(model, 1);
        return probe.ExampleShape.SequenceEqual([3L, 32, 32]);
    }

    private static Process Launch(IReadOnlyList<string> args, System.Collections.Concurrent.ConcurrentQueue<string>? output = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(ClusterBenchmark).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null) output?.Enqueue(e.Data);
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
