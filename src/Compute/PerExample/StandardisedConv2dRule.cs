using TorchSharp.Modules;
using Veil.Compute.Models;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// Per-example gradients of a <see cref="StandardisedConv2d"/>'s RAW weight W. The layer convolves with
/// Ŵ = (W − μ)/s per output row (F = C/G·kh·kw entries, s = sqrt(var + ε)), so example i's raw gradient is its
/// Ŵ-gradient g_i (the ordinary convolution gradient, <see cref="Conv2dRule"/>'s products) pulled back through the
/// standardisation's Jacobian, the same linear map for every example: per row,
/// ∂Ŵ_j/∂W_k = (δ_jk − 1/F − Ŵ_jŴ_k/F)/s, hence g_raw = P g / s with P = I − 11ᵀ/F − ŴŴᵀ/F.
///
/// Norms without forming g_raw: 1ᵀŴ = 0 and ŴᵀŴ = F·r (r = var/(var + ε)) make PᵀP = I − 11ᵀ/F − (2 − r)ŴŴᵀ/F, so per row
/// ‖g_raw‖² = (‖g‖² − u²/F − (2 − r)·w²/F)/s² with u = 1ᵀg and w = Ŵᵀg. Σ_o ‖g[o]‖²/s_o² is the convolution's own norm with
/// δ scaled by 1/s per output channel, so the ghost (Gram) norm and the materialised norm both survive the pull-back (the cost
/// model picks between them as for Conv2d); u and w are cheap: u[o] = Σ_t δ[o,t]·(sum of patch t), one
/// convolution with a kernel of ones, and w[o] = Σ_t δ[o,t]·(z[o,t] − b[o]), from the layer's own output z.
/// The clipped sum Σ c_i g_raw,i is linear, so it is pulled back once: where the convolution's layer kept its (scaled) per-example
/// gradients, P applied to their weighted sum; otherwise the layer's own autograd node (convolution, then the standardisation)
/// with δ_i → c_i·δ_i, which is the pull-back itself. Materialised per-example raw gradients (<see cref="IPerExampleLayer.Gradients"/>, the
/// materialising path and tests) are pulled back per example: B·O·F floats at once, as Conv2d's.
/// </summary>
public sealed class StandardisedConv2dRule : IPerExampleRule
{
    public string? Unsupported(nn.Module module) => null; // zero padding, explicit: the module's constructor allows nothing else

    public IPerExampleLayer Prepare(nn.Module module, Tensor activations, Tensor output, Tensor backprops, int multiplicity, NormStrategy strategy) =>
        new StandardisedConvLayer((StandardisedConv2d)module, activations, output, backprops, multiplicity, strategy);
}
