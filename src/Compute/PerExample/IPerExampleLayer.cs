using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// One layer's per-example quantities for one micro-batch of B examples. Tensors belong to the caller's
/// dispose scope. A layer may hold materialised per-example gradients (then <see cref="ClippedSum"/> is
/// a weighted sum of them) or only a and δ (then <see cref="SquaredNorms"/> is a ghost norm and
/// <see cref="ClippedSum"/> is the book-keeping contraction of c·δ with a).
/// </summary>
public interface IPerExampleLayer
{
    /// <summary>"ghost" or "materialise": how this layer's norms are computed.</summary>
    string Method { get; }

    /// <summary>‖g_i‖² over this layer's trainable parameters: [B].</summary>
    Tensor SquaredNorms();

    /// <summary>(parameter name within the module, per-example gradient [B, ...parameter shape]).</summary>
    IReadOnlyList<(string Name, Tensor Gradient)> Gradients();

    /// <summary>(parameter name, Σ_i c_i g_i in the parameter's shape) for clipping factors c [B].</summary>
    IReadOnlyList<(string Name, Tensor Sum)> ClippedSum(Tensor factors);
}
