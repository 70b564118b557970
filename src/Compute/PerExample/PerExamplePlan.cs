using System.Runtime.CompilerServices;
using TorchSharp;
using TorchSharp.Modules;
using Veil.Compute.Runtime;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// How one model's per-example quantities are captured, built once per model (and policy) and reused
/// for every micro-batch of any size: nothing is re-planned, re-registered or re-allocated per step.
///
/// Capture (TorchSharp 0.107 has no backward hooks): a forward hook on every rule-bearing layer, registered
/// once, records its input a and output z while a capture is running (otherwise it only passes the
/// output through). The loss is the SUM of per-example cross-entropies (÷ K with augmentation
/// multiplicity K, so an example's gradient is the mean over its augmentations), hence δ_i = ∂L/∂z_i
/// depends on example i only. One autograd.grad call to the layer outputs returns every δ without
/// computing or touching the parameters' .grad (the weight-gradient work is left to the rules); the graph
/// is retained so that a rule can run its layer's own backward node once more, with δ rescaled, for the clipped sum.
/// Modules left to the naive fallback get a one-example-at-a-time loop over their own parameters.
/// </summary>
public sealed class PerExamplePlan
{
    sealed record Layer(string Path, nn.Module<Tensor, Tensor> Module, IPerExampleRule Rule);

    static readonly ConditionalWeakTable<nn.Module, PerExamplePlan> Plans = new();
    static readonly object Gate = new();

    readonly nn.Module<Tensor, Tensor> _model;
    readonly Layer[] _layers;
    readonly (string Path, Parameter[] Parameters, string[] Names)[] _fallback;
    Dictionary<nn.Module, (Tensor Input, Tensor Output)>? _capturing;

    public UnsupportedModulePolicy Policy { get; }

    PerExamplePlan(nn.Module<Tensor, Tensor> model, UnsupportedModulePolicy policy)
    {
        _model = model;
        Policy = policy;
        var fallback = PerExampleValidator.Validate(model, policy).ToHashSet();
        if (model.named_modules().Prepend((name: "", module: (nn.Module)model))
                .FirstOrDefault(m => m.module.GetType().Name == "Sequential") is { module: not null } sequential)
            throw new UnsupportedModuleException(sequential.name.Length == 0 ? "model" : "model." + sequential.name, "Sequential",
                "TorchSharp's Sequential disposes the intermediate outputs that per-example capture needs; " +
                "keep the layers as fields and call them with call() in forward");
        var trainable = model.named_modules()
            .Where(m => m.module.named_parameters(recurse: false).Any(p => p.parameter.requires_grad))
            .ToList();
        _layers = trainable.Where(m => !fallback.Contains(m.name))
            .Select(m => new Layer(m.name, (nn.Module<Tensor, Tensor>)m.module, PerExampleRules.Table[m.module.GetType()]))
            .ToArray();
        _fallback = trainable.Where(m => fallback.Contains(m.name))
            .Select(m =>
            {
                var ps = m.module.named_parameters(recurse: false).Where(p => p.parameter.requires_grad).ToArray();
                return (m.name, ps.Select(p => p.parameter).ToArray(), ps.Select(p => p.name).ToArray());
            })
            .ToArray();
        foreach (var layer in _layers)
        {
            var path = layer.Path;
            layer.Module.register_forward_hook((module, input, output) =>
            {
                var captured = _capturing;
                if (captured is not null && !captured.TryAdd(module, (input, output)))
                    throw new NotSupportedException($"model.{path} ran twice in one forward pass; per-example rules assume each layer is used once.");
                return output;
            });
        }
    }

    /// <summary>The model's plan; validates the model the first time (throws <see cref="UnsupportedModuleException"/>).</summary>
    public static PerExamplePlan For(nn.Module<Tensor, Tensor> model, UnsupportedModulePolicy policy = UnsupportedModulePolicy.Refuse)
    {
        lock (Gate)
        {
            if (Plans.TryGetValue(model, out var plan))
            {
                if (plan.Policy == policy) return plan;
                throw new InvalidOperationException($"This model was planned with veil.dp.unsupported = {plan.Policy}; a model replica serves one policy.");
            }
            plan = new PerExamplePlan(model, policy);
            Plans.Add(model, plan);
            return plan;
        }
    }

    /// <summary>
    /// One forward and one backward pass over B·K rows (example-major, K augmentations each); returns every
    /// trainable module's per-example view, keyed by module path, and each example's loss (mean over its K rows).
    /// Call inside a dispose scope.
    /// </summary>
    public (IReadOnlyList<(string Path, IPerExampleLayer Layer)> Layers, Tensor Losses) Run(
        Tensor inputs, Tensor labels, int multiplicity, NormStrategy strategy,
        PhaseTimer? timer = null)
    {
        if (multiplicity < 1) throw new ArgumentOutOfRangeException(nameof(multiplicity), multiplicity, "Augmentation multiplicity must be at least 1.");
        long rows = inputs.shape[0];
        if (rows % multiplicity != 0)
            throw new ArgumentException($"{rows} rows are not a whole number of examples of {multiplicity} augmentations.", nameof(inputs));
        long examples = rows / multiplicity;

        var captured = new Dictionary<nn.Module, (Tensor Input, Tensor Output)>(ReferenceEqualityComparer.Instance);
        Tensor rowLosses;
        _capturing = captured;
        try
        {
            using var phase = timer?.Phase("forward");
            rowLosses = nn.functional.cross_entropy(_model.call(inputs), labels, reduction: nn.Reduction.None);
        }
        finally
        {
            _capturing = null;
        }
        var outputs = _layers.Select(l => captured.TryGetValue(l.Module, out var c) ? c.Output
            : throw new NotSupportedException(
                $"model.{l.Path} has trainable parameters but was not called with call() in forward; per-example hooks cannot see it.")).ToList();
        var total = multiplicity == 1 ? rowLosses.sum() : rowLosses.sum() / multiplicity;
        IList<Tensor> deltas;
        using (timer?.Phase("backward"))
            deltas = outputs.Count == 0 ? Array.Empty<Tensor>() : autograd.grad(new[] { total }, outputs, retain_graph: true, allow_unused: true);

        var result = new List<(string, IPerExampleLayer)>(_layers.Length + _fallback.Length);
        for (int i = 0; i < _layers.Length; i++)
        {
            var (input, output) = captured[_layers[i].Module];
            var delta = deltas[i] ?? zeros_like(output); // a layer that does not reach the loss has zero gradient
            using var phase = timer?.Phase("prepare " + _layers[i].Path);
            result.Add((_layers[i].Path, _layers[i].Rule.Prepare(_layers[i].Module, input.detach(), output, delta, multiplicity, strategy)));
        }
        foreach (var (path, parameters, names) in _fallback)
            result.Add((path, NaiveLayer(inputs, labels, multiplicity, examples, parameters, names)));
        var losses = (multiplicity == 1 ? rowLosses : rowLosses.reshape(examples, multiplicity).mean(new long[] { 1 })).detach();
        return (result, losses);
    }

    IPerExampleLayer NaiveLayer(Tensor inputs, Tensor labels, int multiplicity, long examples, Parameter[] parameters, string[] names)
    {
        var perExample = names.Select(_ => new Tensor[examples]).ToArray();
        for (long i = 0; i < examples; i++)
        {
            var slice = TensorIndex.Slice(i * multiplicity, (i + 1) * multiplicity);
            var loss = nn.functional.cross_entropy(_model.call(inputs[slice]), labels[slice], reduction: nn.Reduction.Sum) / multiplicity;
            var grads = autograd.grad(new[] { loss }, parameters);
            for (int p = 0; p < parameters.Length; p++) perExample[p][i] = grads[p];
        }
        return new MaterialisedLayer(names.Select((n, p) => (n, stack(perExample[p], 0))).ToList(), 1);
    }
}
