using static TorchSharp.torch;

namespace Veil.Compute.Clipping;

/// <summary>
/// Flat clipping over all parameters together: c_i = min(1, C/‖g_i‖₂), written C / max(‖g_i‖, C) so a
/// zero gradient gets factor 1 without dividing by zero.
/// </summary>
public static class FlatClipping
{
    /// <summary>‖g_i‖₂ over every parameter: per-layer squared norms summed, then one square root.</summary>
    public static Tensor Norms(IReadOnlyList<Tensor> perExampleGradients, long examples)
    {
        Tensor? squares = null;
        foreach (var g in perExampleGradients)
        {
            var s = g.reshape(examples, -1).square().sum(1L);
            squares = squares is null ? s : squares.add_(s);
        }
        return (squares ?? zeros(examples)).sqrt();
    }

    public static Tensor Factors(Tensor norms, double clipNorm) => norms.clamp_min(clipNorm).reciprocal().mul(clipNorm);

    /// <summary>Σ_i c_i g_i for each parameter, flattened and concatenated: [P].</summary>
    public static Tensor WeightedSum(IReadOnlyList<Tensor> perExampleGradients, Tensor factors, long examples)
    {
        var row = factors.reshape(1, examples);
        return cat(perExampleGradients.Select(g => row.matmul(g.reshape(examples, -1)).reshape(-1)).ToArray(), 0);
    }
}
