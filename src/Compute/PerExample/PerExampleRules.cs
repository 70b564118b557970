using TorchSharp.Modules;
using Veil.Compute.Models;

namespace Veil.Compute.PerExample;

/// <summary>
/// The one table of layer types Veil can compute per-example gradients for. Explicit on purpose
/// (Opacus registers rules by decorator on import, so what is supported depends on what was imported).
/// Matching is by exact type: a subclass may change forward and silently break a rule.
/// </summary>
public static class PerExampleRules
{
    public static IReadOnlyDictionary<Type, IPerExampleRule> Table { get; } = new Dictionary<Type, IPerExampleRule>
    {
        [typeof(Linear)] = new LinearRule(),
        [typeof(Conv2d)] = new Conv2dRule(),
        [typeof(StandardisedConv2d)] = new StandardisedConv2dRule(),
        [typeof(GroupNorm)] = new GroupNormRule(),
        [typeof(LayerNorm)] = new LayerNormRule(),
        [typeof(Embedding)] = new EmbeddingRule(),
    };
}
