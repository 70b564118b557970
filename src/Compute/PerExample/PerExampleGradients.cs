using TorchSharp;
using Veil.Compute.Parameters;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// Materialised per-example gradients from one forward and one backward pass (the Opacus way): every
/// layer's rule forms its [B, ...parameter shape] gradients. Used by the materialising clipping path,
/// by tests, and wherever the gradients themselves are wanted; the default clipping path
/// (<see cref="Clipping.ClippedGradientSum"/>) avoids forming them where that is cheaper.
/// </summary>
public static class PerExampleGradients
{
    /// <summary>Call inside a dispose scope; the model must pass <see cref="PerExampleValidator"/>.</summary>
    public static PerExampleBatch Compute(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor labels, int multiplicity = 1,
        UnsupportedModulePolicy policy = UnsupportedModulePolicy.Refuse)
    {
        var (layers, losses) = PerExamplePlan.For(model, policy).Run(inputs, labels, multiplicity, NormStrategy.Materialise);
        var byName = new Dictionary<string, Tensor>();
        foreach (var (path, layer) in layers)
            foreach (var (name, gradient) in layer.Gradients())
                byName[Qualify(path, name)] = gradient;
        var layout = ParameterLayout.Of(model);
        var ordered = layout.Entries.Select(e => byName.TryGetValue(e.Name, out var g) ? g
            : throw new InvalidOperationException($"No per-example gradient was produced for parameter '{e.Name}'.")).ToList();
        return new PerExampleBatch(ordered, losses);
    }

    internal static string Qualify(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
