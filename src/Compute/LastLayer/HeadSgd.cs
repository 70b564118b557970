using Veil.Compute.Noise;
using Veil.Ledger.Events;
using static TorchSharp.torch;

namespace Veil.Compute.LastLayer;

/// <summary>
/// DP-SGD on a zero-initialised linear head over clipped features, for the logistic loss. Per step t:
/// a Poisson batch B (q = L/N; or every row when q = 1); per-example gradients g_i = x_i (p_i − y_i)ᵀ, which
/// are rank one, so ‖g_i‖_F = ‖x_i‖·‖p_i − y_i‖ without materialising them; clipped to C_g and summed as
/// Xᵀ diag(c) (P − Y); ONE Gaussian draw N(0, (σ C_g)²) per logical batch after the ledger holds the step's
/// event; then W ← W − η M (G̃ / L) with L = qN, the expected batch size (never the realised one), and M the
/// optional preconditioner (identity for plain DP-SGD; the DP-FC inverse covariance, post-processing).
/// With view averaging each example's gradient is instead the mean over its views (e.g. the image and its mirror image), clipped once
/// (<see cref="ViewAveragedGradientSum"/>): one example still moves the sum by at most C_g, so the release is the same.
/// Heavy-ball momentum and the exponential moving average of the iterates (returned instead of the last iterate when
/// enabled) are functions of the released noisy sums alone: post-processing, free of privacy.
/// </summary>
public static class HeadSgd
{
    public static LinearHead Run(ClippedFeatures data, LastLayerOptions options, double noiseMultiplier, IReleaseGate gate, NoiseSeed seed,
        Tensor? preconditioner, Action<int, LinearHead>? beforeStep = null, Action<long, long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(gate);
        using var scope = NewDisposeScope();
        // With views, X is their first: one copy of the design in memory, not two.
        var views = options.AverageViews ? data.ViewDesigns() : null;
        var x = views?[0] ?? data.Design();
        var y = data.OneHot();
        var rowNorms = x.norm(1);
        var w = zeros(data.Columns, data.Classes, ScalarType.Float64);
        double q = options.SamplingRate(data.Rows), expectedBatch = q * data.Rows, clip = options.EffectiveGradientClip;
        long steps = options.SgdSteps(data.Rows);
        DpEvent stepEvent = q < 1 ? new PoissonSampled(q, new GaussianEvent(noiseMultiplier)) : new GaussianEvent(noiseMultiplier);

        var velocity = options.Momentum > 0 ? zeros_like(w) : null;
        var average = options.Averaging > 0 ? zeros_like(w) : null;
        for (long t = 0; t < steps; t++)
        {
            using var stepScope = NewDisposeScope();
            beforeStep?.Invoke((int)t, LinearHead.From(w));
            var batch = q < 1 ? PoissonSubsample.Indices(data.Rows, q, seed, t) : null;
            var sum = views is null
                ? ClippedGradientSum(x, y, rowNorms, w, batch, clip)
                : ViewAveragedGradientSum.Compute(views, y, w, batch, clip);
            var name = $"{LastLayerReleases.Sgd}[{t}]";
            gate.Commit(name, stepEvent);
            var mean = NoisyStatistic.Plain(sum, noiseMultiplier * clip, seed, name) / expectedBatch;
            var direction = preconditioner is null ? mean : preconditioner.mm(mean);
            if (velocity is not null)
            {
                var v = (options.Momentum * velocity + direction).MoveToOuterDisposeScope();
                velocity.Dispose();
                velocity = v;
                direction = velocity;
            }
            var next = w - options.LearningRate * direction;
            w.Dispose();
            w = next.MoveToOuterDisposeScope();
            if (average is not null)
            {
                var a = (options.Averaging * average + (1 - options.Averaging) * w).MoveToOuterDisposeScope();
                average.Dispose();
                average = a;
            }
            progress?.Invoke(t, steps);
        }
        // The average starts at zero (the initial head): divided by 1 − β^T it is the weighted mean of the iterates alone.
        return LinearHead.From(average is null ? w : average / (1 - Math.Pow(options.Averaging, steps)));
    }

    /// <summary>Σ_{i∈B} min(1, C_g/‖g_i‖) g_i with g_i = x_i (p_i − y_i)ᵀ (D × K);
    /// B = every row when <paramref name="batch"/> is null (full batch, no copy).</summary>
    public static Tensor ClippedGradientSum(Tensor x, Tensor y, Tensor rowNorms, Tensor w, long[]? batch, double clip)
    {
        if (batch is { Length: 0 }) return zeros(x.shape[1], y.shape[1], ScalarType.Float64);
        using var scope = NewDisposeScope();
        var index = batch is null ? null : tensor(batch, ScalarType.Int64);
        var xb = index is null ? x : x.index_select(0, index);
        var residual = SufficientStatistics.Probabilities(xb, w) - (index is null ? y : y.index_select(0, index));
        var norms = residual.norm(1) * (index is null ? rowNorms : rowNorms.index_select(0, index));
        var factors = (clip / norms.clamp_min(1e-300)).clamp_max(1.0);
        return SufficientStatistics.TransposedProduct(xb, residual * factors.unsqueeze(1)).MoveToOuterDisposeScope();
    }
}
