using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// Refuses, before any training, a model whose per-example gradients Veil cannot compute correctly:
/// a module with trainable parameters and no rule, a rule that declines the module's configuration,
/// or a module that mixes examples (BatchNorm) and would break the per-example sensitivity bound.
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

    public static void Validate(nn.Module model) => Validate(model, PerExampleRules.Table);

    public static void Validate(nn.Module model, IReadOnlyDictionary<Type, IPerExampleRule> rules)
    {
        foreach (var (path, module) in model.named_modules())
        {
            string fullPath = path.Length == 0 ? "model" : "model." + path;
            var type = module.GetType();
            if (MixesExamples.TryGetValue(type, out var why))
                throw new UnsupportedModuleException(fullPath, type.Name, why);
            bool trainable = module.named_parameters(recurse: false).Any(p => p.parameter.requires_grad);
            if (!trainable) continue;
            if (!rules.TryGetValue(type, out var rule))
                throw new UnsupportedModuleException(fullPath, type.Name,
                    "it has trainable parameters but no per-example gradient rule; add an IPerExampleRule in PerExample/ " +
                    "and register it in PerExampleRules.Table, or freeze its parameters (requires_grad = false)");
            if (module is not nn.Module<Tensor, Tensor>)
                throw new UnsupportedModuleException(fullPath, type.Name, "per-example rules need a single-tensor module (Module<Tensor, Tensor>)");
            if (rule.Unsupported(module) is { } reason)
                throw new UnsupportedModuleException(fullPath, type.Name, reason);
        }
    }
}
