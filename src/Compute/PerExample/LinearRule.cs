using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// y = W a + b. Per example: ∇W_i = Σ_t δ_{i,t} a_{i,t}ᵀ and ∇b_i = Σ_t δ_{i,t}, where t runs over any
/// middle (sequence) dimensions; for plain [B, features] inputs there is one term (Goodfellow 2015).
/// </summary>
public sealed class LinearRule : IPerExampleRule
{
    public string? Unsupported(nn.Module module) => null;

    public IReadOnlyList<(string Name, Tensor Gradient)> Gradients(nn.Module module, Tensor activations, Tensor backprops)
    {
        var linear = (Linear)module;
        var result = new List<(string, Tensor)>
        {
            ("weight", einsum("n...o,n...i->noi", backprops, activations)),
        };
        if (linear.bias is not null)
        {
            var bias = backprops;
            while (bias.dim() > 2) bias = bias.sum(1L); // fold sequence dimensions into the example
            result.Add(("bias", bias));
        }
        return result;
    }
}
