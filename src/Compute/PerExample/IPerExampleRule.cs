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
    /// <summary>Why this module instance cannot be handled (e.g. circular padding), or null if it can.</summary>
    string? Unsupported(nn.Module module);

    /// <summary>
    /// This layer's view of one micro-batch. <paramref name="multiplicity"/> K &gt; 1 means rows come in
    /// groups of K augmentations of one example (example-major); the per-example gradient is then the
    /// sum over the group (δ already carries the 1/K of the mean). <paramref name="strategy"/> picks
    /// ghost norms or materialised per-example gradients; <see cref="NormStrategy.Auto"/> asks the
    /// rule's cost model. <paramref name="output"/> is the layer's output with its autograd graph retained: a
    /// rule may run the layer's own backward node with rescaled <paramref name="backprops"/> (once).
    /// </summary>
    IPerExampleLayer Prepare(nn.Module module, Tensor activations, Tensor output, Tensor backprops, int multiplicity, NormStrategy strategy);
}
