using System.Diagnostics;
using TorchSharp;
using Veil.Compute.Clipping;
using Veil.Compute.Models;
using Veil.Compute.PerExample;
using Veil.Compute.Runtime;
using static TorchSharp.torch;

namespace Veil.Compute.Benchmarks;

/// <summary>
/// Times one micro-batch three ways: a non-private step (mean loss, one backward into .grad), Veil's clipped
/// per-example sum, and the naive one-example-at-a-time loop. Reports; asserts nothing.
/// </summary>
public static class StepBenchmark
{
    public static StepBenchmarkResult Run(string modelName, int examples, int threads, int iterations = 5, bool includeNaive = true)
    {
        TorchRuntime.SetThreads(threads);
        using var model = ModelCatalog.Create(modelName, seed: 1);
        var random = new Random(1);
        var inputs = new float[examples * model.ExampleSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)(random.NextDouble() * 2 - 1);
        var labels = Enumerable.Range(0, examples).Select(_ => (long)random.Next(model.Classes)).ToArray();

        double nonPrivate = Median(iterations, () =>
        {
            using var scope = NewDisposeScope();
            model.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(HostArrays.Inputs(model, inputs, examples)), HostArrays.Labels(model, labels, examples));
            loss.backward();
            _ = model.parameters().Select(p => p.grad!.sum().item<float>()).Sum(); // force the work, as the DP path copies out
        });
        model.zero_grad();
        double clipped = Median(iterations, () => ClippedGradientSum.Compute(model, inputs, labels, examples, 1.0));
        double naive = !includeNaive ? double.NaN : Median(Math.Min(iterations, 2), () =>
        {
            using var scope = NewDisposeScope();
            NaivePerExampleGradients.Compute(model, HostArrays.Inputs(model, inputs, examples), HostArrays.Labels(model, labels, examples)).sum().item<float>();
        });
        return new StepBenchmarkResult(modelName, examples, threads, iterations, nonPrivate, clipped, naive);
    }

    static double Median(int iterations, Action action)
    {
        action(); // warm-up: first calls allocate and pick kernels
        var times = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[iterations / 2];
    }
}
