using System.Diagnostics;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Prefetch;
using Veil.DataLoading.Sampling;
using Xunit;
using Xunit.Abstractions;

namespace Veil.DataLoading.Tests.Benchmarks;

/// <summary>
/// Throughput of the data path, printed as one JSON line (see it with
/// <c>dotnet test --logger "console;verbosity=detailed" --filter Category=Benchmark</c>). Reports, asserts nothing.
/// Uses real Fashion-MNIST when installed, a synthetic dataset of the same shape otherwise.
/// </summary>
public sealed class DataLoadingBenchmark(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Benchmark")]
    public async Task Decode_and_prefetch_throughput()
    {
        var clock = Stopwatch.StartNew();
        bool real = new FashionMnistLocator().TryLocate(null, out FashionMnistFiles? files);
        ImageDataset train = real ? FashionMnist.Load(files!).Train : SyntheticImageDataset.Create(60_000, seed: 1);
        double loadSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        string fingerprint = DatasetFingerprint.Of(train);
        double fingerprintSeconds = clock.Elapsed.TotalSeconds;

        const int steps = 500, microBatch = 64;
        var planner = new StepPlanner(new PoissonSampler(train.Count, 256.0 / train.Count, SamplerSeed.FromUInt64(1)), new MicroBatchPlanner(microBatch));
        clock.Restart();
        StepPlan[] plans = planner.Plans(0, steps).ToArray();
        double samplingMicrosPerStep = clock.Elapsed.TotalMicroseconds / steps;
        int microBatches = plans.Sum(p => p.MicroBatchCount);
        int examples = plans.Sum(p => p.ExampleCount);

        var decoder = new MicroBatchDecoder(train, PixelNormalization.FashionMnist);
        foreach (MicroBatchSpec spec in plans.Take(20).SelectMany(p => p.MicroBatches)) decoder.Decode(spec);   // JIT warm-up
        clock.Restart();
        foreach (MicroBatchSpec spec in plans.SelectMany(p => p.MicroBatches)) decoder.Decode(spec);
        double singleThreadSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        await using (var prefetcher = new MicroBatchPrefetcher(decoder, plans, new PrefetchSettings(capacity: 16, decodeTasks: 2)))
            await foreach (MicroBatchData _ in prefetcher.ReadAllAsync()) { }
        double prefetchSeconds = clock.Elapsed.TotalSeconds;

        output.WriteLine(
            $"{{\"dataset\":\"{(real ? "fashion-mnist" : "synthetic")}\",\"cores\":{Environment.ProcessorCount}," +
            $"\"load_s\":{loadSeconds:F3},\"fingerprint_s\":{fingerprintSeconds:F3},\"fingerprint\":\"{fingerprint}\"," +
            $"\"steps\":{steps},\"expected_batch\":256,\"micro_batch\":{microBatch},\"micro_batches\":{microBatches},\"examples\":{examples}," +
            $"\"sampling_us_per_step\":{samplingMicrosPerStep:F1}," +
            $"\"decode_1_thread_micro_batches_per_s\":{microBatches / singleThreadSeconds:F0}," +
            $"\"prefetch_2_tasks_micro_batches_per_s\":{microBatches / prefetchSeconds:F0}," +
            $"\"prefetch_2_tasks_examples_per_s\":{examples / prefetchSeconds:F0}}}");
    }
}
