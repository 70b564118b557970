using System.Diagnostics;
using Akka.Actor;
using Veil.Actors.Pipeline;
using Veil.Actors.Training;
using Veil.Compute.Models;
using Veil.Compute.Noise;
using Veil.Compute.Optimizers;
using Veil.Compute.Parameters;
using Veil.Compute.Runtime;
using Veil.DataLoading.Augmentation;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Prefetch;
using Veil.DataLoading.Sampling;
using Veil.DataLoading.Sources;

namespace Veil.Actors.Benchmarks;

/// <summary>
/// The same training steps twice through the real actor pipeline: decoding live (Channels prefetcher)
/// and with every micro-batch decoded beforehand. If decoding is hidden behind the gradients, the two
/// take the same time (ratio ≈ 1) and the workers are rarely idle. Reports; asserts nothing.
/// Nothing is released: the ledger is replaced by a counter, so this never touches a real budget.
/// </summary>
public static class OverlapBenchmark
{
    public sealed record Result(string Source, string Model, int Steps, double LiveMsPerStep, double PreloadedMsPerStep,
        double WorkerIdleFraction, double WorkerIdleFractionPreloaded, int DecodeThreads, int Workers, int TorchThreads);

    public static Result Run(
        string sourceSpec, string? idxPath, string model, int steps, int expectedBatch, int microBatch, int decodeThreads, int workers, int torchThreads = 0)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(torchThreads > 0 ? torchThreads : Math.Max(1, Environment.ProcessorCount / workers));
        var source = ImageSources.Open(sourceSpec, idxPath: idxPath);
        var decoder = new SourceMicroBatchDecoder(source, AugmentationSettings.None());
        var planner = new StepPlanner(new PoissonSampler(source.Count, Math.Min(1.0, (double)expectedBatch / source.Count), SamplerSeed.FromUInt64(7)),
            new MicroBatchPlanner(microBatch));

        Measure(planner, decoder, model, Math.Min(3, steps), workers, live: false, decodeThreads); // JIT and libtorch warm-up
        var (live, liveIdle) = Measure(planner, decoder, model, steps, workers, live: true, decodeThreads);
        var (preloaded, preloadedIdle) = Measure(planner, decoder, model, steps, workers, live: false, decodeThreads);
        return new Result(source.Description, model, steps, live, preloaded, liveIdle, preloadedIdle, decodeThreads, workers, TorchRuntime.Threads);
    }

    private static (double MsPerStep, double WorkerIdle) Measure(
        StepPlanner planner, IMicroBatchDecoder decoder, string model, int steps, int workers, bool live, int decodeThreads)
    {
        IWorkFeed feed = live
            ? new PrefetcherWorkFeed(new MicroBatchPrefetcher(decoder, planner.Plans(0, steps), new PrefetchSettings(16, decodeThreads)))
            : new PreloadedWorkFeed(planner.Plans(0, steps).SelectMany(p => p.MicroBatches).Select(decoder.Decode).ToList());
        using var initialModel = ModelCatalog.Create(model, 1);
        var initial = new ParameterSnapshot(0, ParameterVector.Flatten(initialModel));
        var busy = new TimedComputers();
        var parts = new PipelineParts(
            planner.Plan, feed, _ => busy.Wrap(new TorchGradientComputer(model, 1.0, "cpu")), workers,
            new SeededGaussianNoise(1.0, 1.0, NoiseSeed.FromInt64(1)), new CountingRecorder(),
            new SgdParameterUpdater(
                new SgdMomentum(initial.Values.Length, 0.9), new ConstantLearningRate(0.1), new ExpectedBatchSize(planner.Plan(0).ExampleCount + 1)),
            initial, FirstStep: 0, TotalSteps: steps, MaxBufferedMicroBatches: 16 + decodeThreads + workers, WorkerDispatcher: "veil-worker-dispatcher");
        var clock = Stopwatch.StartNew();
        using (var system = ActorSystem.Create("veil-bench", PipelineActorSystem.Config))
        {
            var outcome = system.ActorOf(CoordinatorActor.Props(parts)).Ask<object>(CoordinatorActor.Start.Instance, Timeout.InfiniteTimeSpan).GetAwaiter()
                .GetResult();
            if (outcome is CoordinatorActor.Failed f) throw new InvalidOperationException($"benchmark run failed: {f.Reason}");
            system.Terminate().Wait(TimeSpan.FromSeconds(30));
        }
        var wall = clock.Elapsed.TotalSeconds;
        return (1000 * wall / steps, Math.Max(0, 1 - busy.Seconds / (wall * workers)));
    }

    private sealed class CountingRecorder : IReleaseRecorder
    {
        private long _sequence;

        public ReleaseDecision Record(long step) => new ReleaseDecision.Recorded(++_sequence, 0);
    }

    private sealed class TimedComputers
    {
        private long _ticks;

        public double Seconds => TimeSpan.FromTicks(Interlocked.Read(ref _ticks)).TotalSeconds;

        public IGradientComputer Wrap(IGradientComputer inner) => new Timed(inner, this);

        private sealed class Timed(IGradientComputer inner, TimedComputers owner) : IGradientComputer
        {
            public int ParameterCount => inner.ParameterCount;

            public PartialGradient Compute(MicroBatchData work, ParameterSnapshot parameters)
            {
                var clock = Stopwatch.StartNew();
                try
                {
                    return inner.Compute(work, parameters);
                }
                finally
                {
                    Interlocked.Add(ref owner._ticks, clock.Elapsed.Ticks);
                }
            }

            public void Dispose() => inner.Dispose();
        }
    }
}
