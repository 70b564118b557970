using MathNet.Numerics.Distributions;
using Veil.DataLoading.Augmentation;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Prefetch;
using Veil.DataLoading.Sampling;
using Veil.DataLoading.Sources;
using Xunit;
using Xunit.Abstractions;

namespace Veil.DataLoading.Tests.Sampling;

[CollectionDefinition(nameof(AllocationMeasuring), DisableParallelization = true)]
public sealed class AllocationMeasuring;

/// <summary>
/// Sampling at ImageNet-and-beyond scale: sizes are still Binomial(N, q) at N = 10⁷, and neither the
/// sampler nor the decode pipeline allocates anything in proportion to N. Allocation is measured
/// with the GC's counters, in a collection that runs alone so other tests' allocations do not count.
/// </summary>
[Collection(nameof(AllocationMeasuring))]
public sealed class PoissonSamplerScaleTests(ITestOutputHelper output)
{
    /// <summary>False-failure rate of the chi-square test for a correct sampler: α = 0.001 (seed fixed: deterministic).</summary>
    private const double Alpha = 0.001;

    [Fact]
    public void Batch_sizes_at_N_ten_million_follow_Binomial_N_q_by_chi_square()
    {
        const int n = 10_000_000, steps = 2000;
        const double q = 1e-4;
        const ulong seed = 20260101;
        var sampler = new PoissonSampler(n, q, SamplerSeed.FromUInt64(seed));
        var sizes = new int[steps];
        for (int s = 0; s < steps; s++) sizes[s] = sampler.Sample(s).Length;

        // Bins of width 8 over mean ± 2.5 sd, tails merged (every expected count ≥ 5 at 2000 steps).
        var binomial = new Binomial(q, n);
        double mean = n * q, sd = Math.Sqrt(n * q * (1 - q));
        var edges = new List<int> { -1 };
        for (int k = (int)(mean - 2.5 * sd); k < mean + 2.5 * sd; k += 8) edges.Add(k);
        edges.Add(n);
        double chiSquare = 0;
        for (int b = 0; b + 1 < edges.Count; b++)
        {
            double p = binomial.CumulativeDistribution(edges[b + 1]) - (edges[b] < 0 ? 0 : binomial.CumulativeDistribution(edges[b]));
            double expected = steps * p;
            int observed = sizes.Count(x => x > edges[b] && x <= edges[b + 1]);
            Assert.True(expected >= 5, $"bin ({edges[b]}, {edges[b + 1]}] expects {expected:F1} < 5");
            chiSquare += (observed - expected) * (observed - expected) / expected;
        }
        int degrees = edges.Count - 2;
        double critical = ChiSquared.InvCDF(degrees, 1 - Alpha);
        output.WriteLine($"{{\"n\":{n},\"q\":{q},\"steps\":{steps},\"seed\":{seed},\"chi2\":{chiSquare:F2},\"critical\":{critical:F2},\"df\":{degrees}}}");
        Assert.True(chiSquare < critical, $"χ² = {chiSquare:F2} ≥ {critical:F2} (df {degrees}, α {Alpha}): sizes are not Binomial({n}, {q})");
        Assert.Equal(sizes[17], sampler.Sample(17).Length);   // and a step redraws the same
    }

    [Fact]
    public void Sampling_from_a_hundred_million_allocates_in_proportion_to_the_batch_not_to_N()
    {
        const int n = 100_000_000;
        var sampler = new PoissonSampler(n, 1e-5, SamplerSeed.FromUInt64(3));   // expected batch 1000
        sampler.Sample(0);                                                       // JIT and AES set-up outside the count
        long before = GC.GetAllocatedBytesForCurrentThread();
        int total = 0;
        for (int s = 1; s <= 20; s++) total += sampler.Sample(s).Length;
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 20;
        output.WriteLine($"{{\"n\":{n},\"mean_batch\":{total / 20},\"bytes_per_step\":{perStep}}}");
        // A batch of ~1000 ints is ~4 KB (list + array ~ 10 KB); one bit per example would be 12.5 MB.
        Assert.True(perStep < 64 * 1024, $"{perStep} bytes allocated per step over N = 10⁸");
    }

    [Fact]
    public async Task The_decode_pipeline_over_a_ten_million_entry_index_allocates_nothing_in_proportion_to_N()
    {
        using var source = new VirtualSource(10_000_000);
        var planner = new StepPlanner(new PoissonSampler(source.Count, 1e-5, SamplerSeed.FromUInt64(4)), new MicroBatchPlanner(32));
        var decoder = new SourceMicroBatchDecoder(source, AugmentationSettings.None(), multiplicity: 2);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        long examples = 0;
        await using (var prefetcher = new MicroBatchPrefetcher(decoder, planner.Plans(0, 20), new PrefetchSettings(4, 2)))
        {
            while (await prefetcher.ReadAsync() is { } batch) examples += batch.Count;
        }
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        output.WriteLine($"{{\"n\":{source.Count},\"steps\":20,\"examples\":{examples},\"allocated_bytes\":{allocated}}}");
        Assert.InRange(examples, 1000, 3000);
        // ~2000 examples × a few hundred bytes; one byte per example of N would be 10 MB.
        Assert.True(allocated < 4_000_000, $"{allocated} bytes allocated for 20 steps over N = 10⁷");
    }

    /// <summary>A 10⁷-entry index whose images are made on demand (4×4 grey, the pixel value = index mod 256).</summary>
    private sealed class VirtualSource(int count) : IImageSource
    {
        public string Name => "virtual";
        public string Description => $"virtual({count})";
        public int Count => count;
        public int Classes => 10;
        public ImageShape Shape => new(1, 4, 4);
        public string Fingerprint => "virtual";
        public long BytesRead => 0;
        public int LabelOf(int index) => index % 10;
        public DecodedImage Decode(int index) => new(Shape, Enumerable.Repeat((byte)index, 16).ToArray(), index % 10);
        public void Dispose() { }
    }
}
