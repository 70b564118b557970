using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// y = γ ⊙ x̂ + β with x̂ normalised within each example and channel group, so GroupNorm never mixes
/// examples. Per example: ∇γ_i[c] = Σ_positions δ_i[c]·x̂_i[c] and ∇β_i[c] = Σ_positions δ_i[c]
/// (Opacus's group_norm rule). x̂ is recomputed from the input (cheap: one normalisation); the
/// gradients are B × C, so they are always materialised.
/// </summary>
public sealed class GroupNormRule : IPerExampleRule
{
    public string? Unsupported(nn.Module module) => null;

    public IPerExampleLayer Prepare(nn.Module module, Tensor activations, Tensor output, Tensor backprops, int multiplicity, NormStrategy strategy)
    {
        var norm = (GroupNorm)module;
        long rows = activations.shape[0], channels = activations.shape[1];
        var normalised = nn.functional.group_norm(activations, norm.num_groups, eps: norm.eps);
        var result = new List<(string, Tensor)>();
        if (norm.weight is { requires_grad: true })
            result.Add(("weight", (backprops * normalised).reshape(rows, channels, -1).sum(2L)));
        if (norm.bias is { requires_grad: true })
            result.Add(("bias", backprops.reshape(rows, channels, -1).sum(2L)));
        return new MaterialisedLayer(result, multiplicity);
    }
}
