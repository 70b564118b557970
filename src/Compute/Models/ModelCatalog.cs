using Veil.Compute.Parameters;
using Veil.Compute.Runtime;

namespace Veil.Compute.Models;

/// <summary>Models by name, initialised deterministically from a seed (every replica of a run starts identical).</summary>
public static class ModelCatalog
{
    public static IReadOnlyList<string> Names { get; } = new[] { "tanh-cnn", "mlp" };

    public static VeilModel Create(string name, long seed)
    {
        TorchRuntime.EnsureLoaded();
        VeilModel model = name switch
        {
            "tanh-cnn" => new TanhCnn(),
            "mlp" => new Mlp(),
            _ => throw new ArgumentException($"Unknown model '{name}'; known models: {string.Join(", ", Names)}.", nameof(name)),
        };
        ParameterVector.Load(model, SeededInitialisation.Draw(model, seed));
        return model;
    }
}
