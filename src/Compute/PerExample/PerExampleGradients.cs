using System.Runtime.CompilerServices;
using TorchSharp;
using Veil.Compute.Parameters;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// Per-example gradients from one forward and one backward pass (Opacus-style). TorchSharp 0.107 has no
/// backward hooks, so: forward hooks record each rule-bearing layer's input a and output z; the loss is
/// the SUM of per-example cross-entropies (so δ_i = ∂L/∂z_i depends on example i only); one
/// autograd.grad call returns every δ without touching the parameters' .grad; each layer's rule turns
/// (a, δ) into per-example gradients.
/// </summary>
public static class PerExampleGradients
{
    sealed record Layer(string Path, nn.Module<Tensor, Tensor> Module, IPerExampleRule Rule);

    static readonly ConditionalWeakTable<nn.Module, Layer[]> Plans = new();

    /// <summary>Call inside a dispose scope; the model must pass <see cref="PerExampleValidator"/>.</summary>
    public static PerExampleBatch Compute(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor labels)
    {
        var layers = Plans.GetValue(model, Plan);
        var captured = new Dictionary<nn.Module, (Tensor Input, Tensor Output)>(ReferenceEqualityComparer.Instance);
        var removers = new List<Action>();
        try
        {
            foreach (var layer in layers)
            {
                var path = layer.Path;
                var remover = layer.Module.register_forward_hook((module, input, output) =>
                {
                    if (!captured.TryAdd(module, (input, output)))
                        throw new NotSupportedException($"model.{path} ran twice in one forward pass; per-example rules assume each layer is used once.");
                    return output;
                });
                removers.Add(remover.remove);
            }
            var logits = model.call(inputs);
            var losses = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None);
            var outputs = layers.Select(l => captured.TryGetValue(l.Module, out var c) ? c.Output
                : throw new NotSupportedException($"model.{l.Path} has trainable parameters but was not called with call() in forward; per-example hooks cannot see it.")).ToList();
            var deltas = autograd.grad(new[] { losses.sum() }, outputs, allow_unused: true);

            var byName = new Dictionary<string, Tensor>();
            for (int i = 0; i < layers.Length; i++)
            {
                var (input, output) = captured[layers[i].Module];
                var delta = deltas[i] ?? zeros_like(output); // a layer that does not reach the loss has zero gradient
                foreach (var (name, gradient) in layers[i].Rule.Gradients(layers[i].Module, input.detach(), delta))
                    byName[Qualify(layers[i].Path, name)] = gradient;
            }
            var layout = ParameterLayout.Of(model);
            var ordered = layout.Entries.Select(e => byName.TryGetValue(e.Name, out var g) ? g
                : throw new InvalidOperationException($"No per-example gradient was produced for parameter '{e.Name}'.")).ToList();
            return new PerExampleBatch(ordered, losses.detach());
        }
        finally
        {
            foreach (var remove in removers) remove();
        }
    }

    static string Qualify(string path, string name) => path.Length == 0 ? name : path + "." + name;

    static Layer[] Plan(nn.Module model)
    {
        PerExampleValidator.Validate(model);
        return model.named_modules()
            .Where(m => m.module.named_parameters(recurse: false).Any(p => p.parameter.requires_grad))
            .Select(m => new Layer(m.name, (nn.Module<Tensor, Tensor>)m.module, PerExampleRules.Table[m.module.GetType()]))
            .ToArray();
    }
}
