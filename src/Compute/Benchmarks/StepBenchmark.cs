using System.Diagnostics;
using TorchSharp;
using Veil.Compute.Clipping;
using Veil.Compute.Models;
using Veil.Compute.PerExample;
using Veil.Compute.Runtime;
using static TorchSharp.torch;

namespace Veil.Compute.Benchmarks;

/// <summary>
/// Times one micro-batch: a non-private step (mean loss, one backward into .grad, gradients copied out) and
/// Veil's clipped per-example sum, interleaved repetition by repetition in one process after a warm-up of
/// each (so drift and neighbours' load hit both alike), medians reported; the naive one-example-at-a-time
/// loop a few times for scale. Peak RSS per kind of step from /proc (VmHWM after resetting it). Reports;
/// asserts nothing. With <c>examplesPerUser</c> k &gt; 0 the DP step is user-level: consecutive runs of k examples belong to one user,
/// whose mean gradient is clipped as one contribution (what a user-level micro-batch of that size costs).
/// </summary>
public static class StepBenchmark
{
    public static StepBenchmarkResult Run(string modelName, int examples, int threads, int iterations = 10, bool includeNaive = true,
        ClippingMethod method = ClippingMethod.Fast, bool profile = false, bool weightStandardisation = false, int examplesPerUser = 0)
    {
        int[]? owners = examplesPerUser > 0 ? Enumerable.Range(0, examples).Select(i => i / examplesPerUser).ToArray() : null;
        TorchRuntime.SetThreads(threads);
        using var model = ModelCatalog.Create(modelName, seed: 1, weightStandardisation: weightStandardisation);
        var random = new Random(1);
        var inputs = new float[examples * model.ExampleSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)(random.NextDouble() * 2 - 1);
        var labels = Enumerable.Range(0, examples).Select(_ => (long)random.Next(model.Classes)).ToArray();

        void NonPrivate()
        {
            using var scope = NewDisposeScope();
            model.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(HostArrays.Inputs(model, inputs, examples)), HostArrays.Labels(model, labels, examples));
            loss.backward();
            _ = cat(model.parameters().Select(p => p.grad!.reshape(-1)).ToArray(), 0).data<float>().ToArray(); // copied out, as the DP path does
        }
        void Private() => ClippedGradientSum.Compute(model, inputs, labels, examples, 1.0, method: method, owners: owners);

        NonPrivate();
        model.zero_grad();
        Private();
        var nonPrivate = new double[iterations];
        var clipped = new double[iterations];
        double rssNonPrivate = 0, rssClipped = 0;
        for (int i = 0; i < iterations; i++)
        {
            (nonPrivate[i], var r1) = Timed(NonPrivate);
            model.zero_grad();
            (clipped[i], var r2) = Timed(Private);
            (rssNonPrivate, rssClipped) = (Math.Max(rssNonPrivate, r1), Math.Max(rssClipped, r2));
        }
        double naive = double.NaN;
        if (includeNaive)
        {
            var naiveTimes = Enumerable.Range(0, 2).Select(_ => Timed(() =>
            {
                using var scope = NewDisposeScope();
                NaivePerExampleGradients.Compute(model, HostArrays.Inputs(model, inputs, examples), HostArrays.Labels(model, labels, examples)).sum()
                    .item<float>();
            }).Ms).ToArray();
            naive = naiveTimes.Min();
        }
        IReadOnlyList<(string Phase, double Ms)>? phases = profile ? Profile(model, inputs, labels, examples, iterations) : null;
        string layers;
        using (var scope = NewDisposeScope())
        {
            var methods = BookkeepingClipping.Methods(model, HostArrays.Inputs(model, inputs, examples), HostArrays.Labels(model, labels, examples));
            layers = string.Join(",", methods.Select(m => $"{m.Path}={m.Method}"));
        }
        string summary = owners is not null ? $"user-level (k = {examplesPerUser}): materialise" : method switch
        {
            ClippingMethod.Fast => "bookkeeping:" + string.Join(",", layers.Split(',').Select(l => l.Split('=')[1]).Distinct().Order()),
            ClippingMethod.Materialised => "materialise",
            _ => "naive",
        };
        return new StepBenchmarkResult(modelName, examples, threads, iterations,
            Median(nonPrivate), Median(clipped), naive,
            nonPrivate.Min(), nonPrivate.Max(), clipped.Min(), clipped.Max(),
            rssNonPrivate, rssClipped, summary, layers, phases);
    }

    /// <summary>
    /// Minimum milliseconds per phase over <paramref name="repetitions"/> interleaved pairs of steps (the minimum
    /// because neighbours' load only ever adds time): the non-private
    /// step's forward, backward and copy-out ("np ..."), and the fast DP path's forward, backward to layer
    /// outputs, and per layer its preparation, norms and clipped sum. Separate from the timed loop above, so
    /// the stopwatches cannot bias the headline figures.
    /// </summary>
    static IReadOnlyList<(string Phase, double Ms)> Profile(VeilModel model, float[] inputs, long[] labels, int examples, int repetitions)
    {
        var runs = new List<IReadOnlyList<(string Phase, double Ms)>>();
        for (int i = 0; i < repetitions; i++)
        {
            var timer = new PhaseTimer();
            var npScope = NewDisposeScope();
            using (timer.Phase("np total"))
            {
                model.zero_grad();
                var x = HostArrays.Inputs(model, inputs, examples);
                var y = HostArrays.Labels(model, labels, examples);
                Tensor loss;
                using (timer.Phase("np forward")) loss = nn.functional.cross_entropy(model.call(x), y);
                using (timer.Phase("np backward")) loss.backward();
                using (timer.Phase("np copy out")) _ = cat(model.parameters().Select(p => p.grad!.reshape(-1)).ToArray(), 0).data<float>().ToArray();
                using (timer.Phase("np dispose")) npScope.Dispose();
            }
            model.zero_grad();
            var scope = NewDisposeScope();
            using (timer.Phase("total"))
            {
                var x = HostArrays.Inputs(model, inputs, examples);
                var y = HostArrays.Labels(model, labels, examples);
                var (sum, _, _) = BookkeepingClipping.Compute(model, x, y, 1.0, timer: timer);
                using (timer.Phase("copy out")) _ = sum.data<float>().ToArray();
                using (timer.Phase("dispose")) scope.Dispose();
            }
            runs.Add(timer.Totals);
        }
        return runs[0].Select(p => (p.Phase, runs.Min(r => r.First(q => q.Phase == p.Phase).Ms))).ToList();
    }

    static (double Ms, double PeakRssMb) Timed(Action action)
    {
        ResetPeakRss();
        var watch = Stopwatch.StartNew();
        action();
        double ms = watch.Elapsed.TotalMilliseconds;
        return (ms, PeakRssMb());
    }

    static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    // Linux: writing 5 to clear_refs resets VmHWM to the current RSS. Elsewhere both are NaN.
    static void ResetPeakRss()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    static double PeakRssMb()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is null) return double.NaN;
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }
        catch (IOException) { return double.NaN; }
    }
}
