using System.Diagnostics;
using Veil.DataLoading.Augmentation;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Prefetch;
using Veil.DataLoading.Sampling;
using Veil.DataLoading.Sources;

namespace Veil.DataLoading.Benchmarks;

/// <summary>What <see cref="DecodeBenchmark.Run"/> measured.</summary>
public sealed record DecodeBenchmarkResult(string Source, int DatasetSize, int DecodeThreads, long Images, long Skipped, double Seconds,
                                           double ImagesPerSecond, double MegabytesPerSecond, double OpenSeconds, int Steps, int MicroBatchSize);

/// <summary>
/// Decode throughput of the real pipeline: Poisson-sampled steps (expected batch L) planned into
/// micro-batches, decoded by K tasks through the bounded-Channels prefetcher into pooled buffers,
/// consumed by a reader that only hands buffers back. Reports images/s and MB/s of encoded bytes
/// read from storage. Asserts nothing.
/// </summary>
public static class DecodeBenchmark
{
    public static DecodeBenchmarkResult Run(string sourceSpec, int decodeThreads, int images = 20000, int expectedBatch = 256, int microBatch = 64,
                                            AugmentationSettings? augmentation = null, CorruptExamplePolicy onCorrupt = CorruptExamplePolicy.Fail)
    {
        var open = Stopwatch.StartNew();
        using IImageSource source = ImageSources.Open(sourceSpec, onCorrupt);
        double openSeconds = open.Elapsed.TotalSeconds;
        double q = Math.Min(1.0, (double)expectedBatch / source.Count);
        int steps = Math.Max(1, (int)Math.Ceiling((double)images / Math.Min(expectedBatch, source.Count)));
        var planner = new StepPlanner(new PoissonSampler(source.Count, q, SamplerSeed.FromUInt64(1)), new MicroBatchPlanner(microBatch));
        var pool = new FloatBufferPool();
        var decoder = new SourceMicroBatchDecoder(source, augmentation ?? AugmentationSettings.None(), seed: 1, onCorrupt: onCorrupt, pool: pool);

        // Warm up the decoder (SkiaSharp's native library, JIT) outside the clock.
        decoder.Decode(new MicroBatchSpec(new MicroBatchId(-1, 0), [0]));
        long bytesBefore = source.BytesRead, examplesBefore = decoder.DecodedExamples;

        var clock = Stopwatch.StartNew();
        var prefetcher = new MicroBatchPrefetcher(
            decoder, planner.Plans(0, steps), new PrefetchSettings(capacity: 2 * decodeThreads + 2, decodeTasks: decodeThreads));
        try
        {
            while (prefetcher.ReadAsync().AsTask().GetAwaiter().GetResult() is { } batch) pool.Return(batch.Inputs);
        }
        finally
        {
            prefetcher.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        double seconds = clock.Elapsed.TotalSeconds;
        long decoded = decoder.DecodedExamples - examplesBefore;
        double megabytes = (source.BytesRead - bytesBefore) / 1e6;
        return new DecodeBenchmarkResult(source.Description, source.Count, decodeThreads, decoded, decoder.SkippedExamples, seconds,
                                         decoded / seconds, megabytes / seconds, openSeconds, steps, microBatch);
    }
}
