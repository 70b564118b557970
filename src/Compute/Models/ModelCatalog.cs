using Veil.Compute.Parameters;
using Veil.Compute.Runtime;

namespace Veil.Compute.Models;

/// <summary>Models by name, initialised deterministically from a seed (every replica of a run starts identical).</summary>
public static class ModelCatalog
{
    public static IReadOnlyList<string> Names { get; } = new[] { "tanh-cnn", "mlp", "resnet18-gn", "resnet18-gn-32", "wrn16-4", "gn-cnn" };

    /// <param name="classes">Output classes; the private task of a class split has fewer than the catalog's 10 (the 28×28 models accept any count ≥ 2).</param>
    public static VeilModel Create(string name, long seed, int classes = 10)
    {
        TorchRuntime.EnsureLoaded();
        if (classes != 10 && name is not ("tanh-cnn" or "mlp" or "gn-cnn"))
            throw new ArgumentException($"Model '{name}' predicts its catalog class count only; tanh-cnn, mlp and gn-cnn take another class count ({classes} asked).", nameof(classes));
        VeilModel model = name switch
        {
            "tanh-cnn" => new TanhCnn(classes),
            "mlp" => new Mlp(classes: classes),
            "gn-cnn" => new GnCnn(classes),
            "resnet18-gn" => new ResNet18Gn(ResNetStem.ImageNet, imageSize: 224, classes: 1000),
            "resnet18-gn-32" => new ResNet18Gn(ResNetStem.Small, imageSize: 32, classes: 10),
            "wrn16-4" => new WideResNet16x4(classes: 10),
            _ => throw new ArgumentException($"Unknown model '{name}'; known models: {string.Join(", ", Names)}.", nameof(name)),
        };
        ParameterVector.Load(model, SeededInitialisation.Draw(model, seed));
        return model;
    }
}
