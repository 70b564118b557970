using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// Refuses, before any training, a model whose per-example gradients Veil cannot compute correctly:
/// a module that mixes examples (BatchNorm: always refused), or, under <see cref="UnsupportedModulePolicy.Refuse"/>,
/// a module with trainable parameters and no rule, or a rule that declines the module's configuration.
/// Under <see cref="UnsupportedModulePolicy.Naive"/> those modules are returned instead, for the naive fallback.
/// </summary>
public static class PerExampleValidator
{
    // Layers that couple the examples of a batch even without trainable parameters.
    static readonly IReadOnlyDictionary<Type, string> MixesExamples = new Dictionary<Type, string>
    {
        [typeof(BatchNorm1d)] = "it mixes examples (batch statistics), so one example's gradient depends on the others; use GroupNorm",
        [typeof(BatchNorm2d)] = "it mixes examples (batch statistics), so one example's gradient depends on the others; use GroupNorm",
        [typeof(BatchNorm3d)] = "it mixes examples (batch statistics), so one example's gradient depends on the others; use GroupNorm",
    };

    public static void Validate(nn.Module model) => Validate(model, PerExampleRules.Table, UnsupportedModulePolicy.Refuse);

    /// <returns>Paths (as in named_modules) of the trainable modules left to the naive fallback; empty under Refuse.</returns>
    public static IReadOnlyList<string> Validate(nn.Module model, UnsupportedModulePolicy policy) => Validate(model, PerExampleRules.Table, policy);

    public static IReadOnlyList<string> Validate(
        nn.Module model, IReadOnlyDictionary<Type, IPerExampleRule> rules, UnsupportedModulePolicy policy = UnsupportedModulePolicy.Refuse)
    {
        var fallback = new List<string>();
        foreach (var (path, module) in model.named_modules())
        {
            string fullPath = path.Length == 0 ? "model" : "model." + path;
            var type = module.GetType();
            if (MixesExamples.TryGetValue(type, out var why))
                throw new UnsupportedModuleException(fullPath, type.Name, why);
            bool trainable = module.named_parameters(recurse: false).Any(p => p.parameter.requires_grad);
            if (!trainable) continue;
            string? reason;
            if (!rules.TryGetValue(type, out var rule))
                reason = "it has trainable parameters but no per-example gradient rule; add an IPerExampleRule in PerExample/ " +
                         "and register it in PerExampleRules.Table, freeze its parameters (requires_grad = false), " +
                         "or accept a slow per-example loop for it with veil.dp.unsupported = naive";
            else if (module is not nn.Module<Tensor, Tensor>)
                reason = "per-example rules need a single-tensor module (Module<Tensor, Tensor>); or set veil.dp.unsupported = naive";
            else
                reason = rule.Unsupported(module);
            if (reason is null) continue;
            if (policy == UnsupportedModulePolicy.Refuse) throw new UnsupportedModuleException(fullPath, type.Name, reason);
            fallback.Add(path);
        }
        return fallback;
    }
}
