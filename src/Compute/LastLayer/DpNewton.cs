using Veil.Compute.Noise;
using Veil.Ledger.Events;
using static TorchSharp.torch;

namespace Veil.Compute.LastLayer;

/// <summary>
/// DP Newton for the multinomial logistic loss Σ_i ℓ(Wᵀx_i, y_i) + (λ/2)‖W‖², from W = 0. Each step releases
/// the gradient Σ x(p − y)ᵀ (sensitivity √2·C) and the K diagonal blocks of the Hessian, Σ p_k(1 − p_k) x xᵀ
/// (sensitivity √(4/27)·C² for all K together), each a Gaussian mechanism; W is public between steps, so each
/// step's statistics are sums of per-example terms evaluated at a public point.
///
/// Why block-diagonal: the full Hessian is (DK) × (DK) (7850² for 785 features and 10 classes) and costs K²/2
/// weighted Gram matrices per step; its diagonal blocks cost K and give each class's column its own damped
/// Newton system. The step is W_k ← W_k − η (proj_PSD(H̃_k) + λI)⁻¹ (g̃_k + λW_k): a regularised, damped
/// (η = veil.last-layer.newton-step-size) quasi-Newton step; the PSD projection is as in <see cref="RegularisedSolve"/>.
/// </summary>
public static class DpNewton
{
    public static LinearHead Fit(
        ClippedFeatures data, LastLayerOptions options, IReadOnlyDictionary<string, double> noiseMultipliers, IReleaseGate gate, NoiseSeed seed,
        Action<int, LinearHead>? beforeStep = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(gate);
        using var scope = NewDisposeScope();
        var x = data.Design();
        var y = data.OneHot();
        var w = zeros(data.Columns, data.Classes, ScalarType.Float64);
        double sigmaGradient = noiseMultipliers[LastLayerReleases.Gradient], sigmaHessian = noiseMultipliers[LastLayerReleases.Hessian];
        double gradientStd = sigmaGradient * LastLayerSensitivity.LogisticGradient(data.ClipNorm);
        double hessianStd = sigmaHessian * LastLayerSensitivity.LogisticHessianBlocks(data.ClipNorm);
        double lambda = options.Regularisation;

        for (int step = 0; step < options.NewtonSteps; step++)
        {
            using var stepScope = NewDisposeScope();
            beforeStep?.Invoke(step, LinearHead.From(w));
            var p = SufficientStatistics.Probabilities(x, w);
            var gradient = SufficientStatistics.LogisticGradient(x, y, p);
            var blocks = Enumerable.Range(0, data.Classes).Select(k => SufficientStatistics.LogisticHessianBlock(x, p, k)).ToArray();

            var gradientName = $"{LastLayerReleases.Gradient}[{step}]";
            gate.Commit(gradientName, new GaussianEvent(sigmaGradient));
            var noisyGradient = NoisyStatistic.Plain(gradient, gradientStd, seed, gradientName) + lambda * w;

            var hessianName = $"{LastLayerReleases.Hessian}[{step}]";
            gate.Commit(hessianName, new GaussianEvent(sigmaHessian));
            var columns = new Tensor[data.Classes];
            for (int k = 0; k < data.Classes; k++)
            {
                var noisyBlock = NoisyStatistic.Symmetric(blocks[k], hessianStd, seed, hessianName, block: k);
                columns[k] = RegularisedSolve.Solve(noisyBlock, noisyGradient.narrow(1, k, 1), lambda);
            }
            var next = w - options.NewtonStepSize * cat(columns, 1);
            w.Dispose();
            w = next.MoveToOuterDisposeScope();
        }
        return LinearHead.From(w);
    }
}
