using TorchSharp;
using Veil.Compute.Clipping;
using Veil.Compute.Models;
using Veil.Compute.Runtime;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Ownership;
using Veil.DataLoading.Sampling;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Actors.Tests.Training;

/// <summary>
/// One user-level step through the real sampler, planner, decoder and clipping, cut into micro-batches of several sizes (each
/// micro-batch may go to another worker): the step's clipped sum is the same however it is cut, and equals a naive loop that
/// takes each sampled user's examples alone through autograd, averages, clips to C and sums.
/// </summary>
public sealed class UserLevelStepTests
{
    private const double ClipNorm = 0.05;

    [Fact]
    public void A_steps_clipped_sum_is_the_naive_per_user_sum_however_the_step_is_cut_into_micro_batches()
    {
        var data = SyntheticImageDataset.Create(120, seed: 7);
        var owners = SyntheticOwners.Assign(120, 20, seed: 3);        // 6 examples each
        var sampler = new UserPoissonSampler(owners, 0.5, examplesPerUser: 4, SamplerSeed.FromUInt64(11));
        var decoder = new MicroBatchDecoder(data, PixelNormalization.FashionMnist);
        using var model = ModelCatalog.Create("mlp", seed: 2);
        const long step = 3;
        var users = sampler.Sample(step);
        Assert.True(users.Count >= 5, $"only {users.Count} users sampled");

        var (expected, norms) = NaivePerUser(model, decoder, users);
        Assert.Contains(norms, n => n > ClipNorm);
        foreach (var size in new[] { 4, 7, 16, 64 })
        {
            var plan = new StepPlanner(sampler, new MicroBatchPlanner(size)).Plan(step);
            var sum = new double[expected.Length];
            foreach (var spec in plan.MicroBatches)
            {
                var work = decoder.Decode(spec);
                var batch = ClippedGradientSum.Compute(model, work.Inputs, work.Labels, work.Count, ClipNorm, owners: work.Owners);
                for (var j = 0; j < sum.Length; j++) sum[j] += batch.Sum[j];
            }
            var error = expected.Zip(sum).Max(p => Math.Abs(p.First - p.Second));
            Assert.True(error <= 1e-5 * Math.Max(1.0, expected.Max(Math.Abs)), $"micro-batch {size}: max error {error:g3}");
        }
    }

    [Fact]
    public void Each_sampled_users_contribution_has_norm_at_most_C()
    {
        var data = SyntheticImageDataset.Create(120, seed: 8);
        var owners = SyntheticOwners.Assign(120, 12, seed: 4);        // 10 examples each
        var decoder = new MicroBatchDecoder(data, PixelNormalization.FashionMnist);
        using var model = ModelCatalog.Create("mlp", seed: 5);
        var clipped = 0;
        foreach (var k in new[] { 1, 3, 10 })
        {
            var sampler = new UserPoissonSampler(owners, 1.0, k, SamplerSeed.FromUInt64((ulong)k));
            foreach (var examples in sampler.Sample(0))
            {
                var work = decoder.Decode(new MicroBatchSpec(new MicroBatchId(0, 0), examples, new int[examples.Length]));
                var batch = ClippedGradientSum.Compute(model, work.Inputs, work.Labels, work.Count, ClipNorm, owners: work.Owners);
                if (batch.PerExampleNorms[0] > ClipNorm) clipped++;
                var norm = Math.Sqrt(batch.Sum.Sum(v => (double)v * v));
                Assert.True(norm <= ClipNorm * (1 + 1e-5), $"k = {k}: a user's contribution has norm {norm} > C = {ClipNorm}");
            }
        }
        Assert.True(clipped >= 10, $"only {clipped} of 36 contributions needed clipping: the bound would be tested on too few");
    }

    // Each user alone: autograd on their examples' mean loss, norm, min(1, C/norm), summed in double.
    private static (double[] Sum, double[] Norms) NaivePerUser(VeilModel model, IMicroBatchDecoder decoder, IReadOnlyList<int[]> users)
    {
        TorchRuntime.EnsureLoaded();
        var parameters = model.parameters().Where(p => p.requires_grad).Cast<Tensor>().ToList();
        double[]? sum = null;
        var norms = new double[users.Count];
        for (var u = 0; u < users.Count; u++)
        {
            using var scope = NewDisposeScope();
            var work = decoder.Decode(new MicroBatchSpec(new MicroBatchId(-1, 0), users[u]));
            var loss = nn.functional.cross_entropy(
                model.call(HostArrays.Inputs(model, work.Inputs, work.Count)), HostArrays.Labels(model, work.Labels, work.Count),
                reduction: nn.Reduction.Sum) / work.Count;
            var g = cat(autograd.grad(new[] { loss }, parameters).Select(t => t.reshape(-1)).ToArray(), 0)
                .to_type(ScalarType.Float64).data<double>().ToArray();
            norms[u] = Math.Sqrt(g.Sum(v => v * v));
            var factor = Math.Min(1.0, ClipNorm / norms[u]);
            sum ??= new double[g.Length];
            for (var j = 0; j < g.Length; j++) sum[j] += factor * g[j];
        }
        return (sum!, norms);
    }
}
