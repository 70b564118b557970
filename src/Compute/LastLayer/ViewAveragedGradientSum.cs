using static TorchSharp.torch;

namespace Veil.Compute.LastLayer;

/// <summary>
/// Augmentation multiplicity (De et al. 2022) for the linear head: example i contributes the MEAN of the logistic
/// gradients of its K views, g_i = (1/K) Σ_k x_ik e_ikᵀ with e_ik = softmax(x_ik W) − y_i, clipped ONCE to C_g. One example
/// still moves the sum by at most C_g, so the step's release (and its ledger event) is the one of plain DP-SGD.
/// ‖g_i‖²_F = (1/K²) Σ_{k,l} (x_ik·x_il)(e_ik·e_il): the Gram form, so no per-example gradient is materialised.
/// </summary>
public static class ViewAveragedGradientSum
{
    /// <summary>Σ_{i∈B} min(1, C_g/‖g_i‖) g_i (D × K classes); <paramref name="views"/>[k] holds view k of every example (N × D),
    /// row i of each the same example; B = every row when <paramref name="batch"/> is null.</summary>
    public static Tensor Compute(IReadOnlyList<Tensor> views, Tensor y, Tensor w, long[]? batch, double clip)
    {
        ArgumentNullException.ThrowIfNull(views);
        if (views.Count == 0) throw new ArgumentException("at least one view of each example is needed", nameof(views));
        if (batch is { Length: 0 }) return zeros(views[0].shape[1], y.shape[1], ScalarType.Float64);
        using var scope = NewDisposeScope();
        var index = batch is null ? null : tensor(batch, ScalarType.Int64);
        var yb = index is null ? y : y.index_select(0, index);
        var xs = views.Select(x => index is null ? x : x.index_select(0, index)).ToArray();
        var residuals = xs.Select(x => SufficientStatistics.Probabilities(x, w) - yb).ToArray();
        int k = xs.Length;
        var squared = zeros(xs[0].shape[0], ScalarType.Float64);
        for (int a = 0; a < k; a++)
            for (int b = a; b < k; b++)
            {
                var term = (xs[a] * xs[b]).sum(1L) * (residuals[a] * residuals[b]).sum(1L);
                squared = squared + (a == b ? term : 2 * term);
            }
        var norms = squared.clamp_min(0).sqrt() / k;
        var weights = (clip / norms.clamp_min(1e-300)).clamp_max(1.0) / k;
        var sum = SufficientStatistics.TransposedProduct(xs[0], residuals[0] * weights.unsqueeze(1));
        for (int a = 1; a < k; a++) sum = sum + SufficientStatistics.TransposedProduct(xs[a], residuals[a] * weights.unsqueeze(1));
        return sum.MoveToOuterDisposeScope();
    }
}
