using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// Per-example gradients of one layer type's own parameters from what one forward and one backward pass
/// leave behind: the layer's input activations a (batch-first) and the gradient δ of the summed loss
/// with respect to the layer's output. Because the loss is a sum of per-example losses, row i of δ
/// depends on example i alone, so each rule is a small batched product per example.
/// </summary>
public interface IPerExampleRule
{
    /// <summary>Why this module instance cannot be handled (e.g. grouped convolution), or null if it can.</summary>
    string? Unsupported(nn.Module module);

    /// <summary>(parameter name within the module, per-example gradient [B, ...parameter shape]).</summary>
    IReadOnlyList<(string Name, Tensor Gradient)> Gradients(nn.Module module, Tensor activations, Tensor backprops);
}
