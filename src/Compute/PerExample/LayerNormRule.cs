using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// y = γ ⊙ x̂ + β, x̂ normalised over the trailing <c>normalized_shape</c> dimensions of each row, so
/// LayerNorm never mixes examples. Per example: ∇γ_i = Σ over the middle (sequence) dimensions of
/// δ ⊙ x̂ and ∇β_i = Σ of δ, each of γ's shape: small, so always materialised.
/// </summary>
public sealed class LayerNormRule : IPerExampleRule
{
    public string? Unsupported(nn.Module module) => null;

    public IPerExampleLayer Prepare(nn.Module module, Tensor activations, Tensor output, Tensor backprops, int multiplicity, NormStrategy strategy)
    {
        var norm = (LayerNorm)module;
        long rows = activations.shape[0];
        var shape = norm.normalized_shape;
        long width = shape.Aggregate(1L, (x, y) => x * y);
        var normalised = nn.functional.layer_norm(activations, shape, eps: norm.eps);
        var result = new List<(string, Tensor)>();
        var perRowShape = new[] { rows }.Concat(shape).ToArray();
        if (norm.weight is { requires_grad: true })
            result.Add(("weight", (backprops * normalised).reshape(rows, -1, width).sum(1L).reshape(perRowShape)));
        if (norm.bias is { requires_grad: true })
            result.Add(("bias", backprops.reshape(rows, -1, width).sum(1L).reshape(perRowShape)));
        return new MaterialisedLayer(result, multiplicity);
    }
}
