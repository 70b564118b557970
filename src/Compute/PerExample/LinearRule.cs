using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// y = W a + b. Per example: ∇W_i = Σ_t δ_{i,t} a_{i,t}ᵀ and ∇b_i = Σ_t δ_{i,t}, where t runs over any
/// middle (sequence) dimensions (Goodfellow 2015). Plain [B, features] inputs have T = 1: the ghost
/// norm ‖a_i‖²‖δ_i‖² costs B·(in + out) and is always chosen; sequences use the Gram form when the cost
/// model says so (see <see cref="OuterProductLayer"/>).
/// </summary>
public sealed class LinearRule : IPerExampleRule
{
    public string? Unsupported(nn.Module module) => null;

    public IPerExampleLayer Prepare(nn.Module module, Tensor activations, Tensor output, Tensor backprops, int multiplicity, NormStrategy strategy)
    {
        var linear = (Linear)module;
        long inputs = linear.in_features;
        var d = backprops.reshape(backprops.shape[0], 1, -1, linear.out_features);
        return new OuterProductLayer(activations, x => x.reshape(x.shape[0], 1, -1, inputs), output, backprops, d, inputs, multiplicity,
            linear.weight!, "weight", linear.bias, linear.bias is null ? null : "bias", strategy, expandIsView: true);
    }
}
