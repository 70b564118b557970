using Veil.Compute.Parameters;
using Veil.Compute.Runtime;

namespace Veil.Compute.Models;

/// <summary>
/// Models by name, initialised deterministically from a seed (every replica of a run starts identical). The scatternet models take
/// scattering features, not pixels (<see cref="ScatterNetInput"/>): a run computes those from its images.
/// </summary>
public static class ModelCatalog
{
    public static IReadOnlyList<string> Names { get; } = new[]
    {
        "tanh-cnn", "mlp", "resnet18-gn", "resnet18-gn-32", "wrn16-4", "gn-cnn", "scatternet-linear", "scatternet-cnn",
    };

    /// <summary>The models that can be built with weight-standardised convolutions: the GroupNorm ResNets (not gn-cnn, whose backbones
    /// do not record the option, nor the models without GroupNorm).</summary>
    public static IReadOnlyList<string> WeightStandardisable { get; } = new[] { "resnet18-gn", "resnet18-gn-32", "wrn16-4" };

    /// <param name="classes">Output classes; the private task of a class split has
    /// fewer than the catalog's 10 (the 28×28 models accept any count ≥ 2).</param>
    /// <param name="weightStandardisation">Every convolution a <see cref="StandardisedConv2d"/> (models in <see cref="WeightStandardisable"/>). The raw
    /// weights are drawn exactly as the plain model's (same names, shapes and stream), so only the forward pass differs.</param>
    public static VeilModel Create(string name, long seed, int classes = 10, bool weightStandardisation = false)
    {
        TorchRuntime.EnsureLoaded();
        if (weightStandardisation && !WeightStandardisable.Contains(name))
            throw new ArgumentException(
                $"Model '{name}' has no weight-standardised form; models that have one: {string.Join(", ", WeightStandardisable)}.",
                nameof(weightStandardisation));
        if (classes != 10 && name is not ("tanh-cnn" or "mlp" or "gn-cnn" or "scatternet-linear" or "scatternet-cnn"))
            throw new ArgumentException(
                $"Model '{name}' predicts its catalog class count only; tanh-cnn, mlp, gn-cnn and the scatternet models take another class count " +
                $"({classes} asked).", nameof(classes));
        VeilModel model = name switch
        {
            "tanh-cnn" => new TanhCnn(classes),
            "mlp" => new Mlp(classes: classes),
            "gn-cnn" => new GnCnn(classes),
            "scatternet-linear" => new ScatterNetLinear(classes),
            "scatternet-cnn" => new ScatterNetCnn(classes),
            "resnet18-gn" => new ResNet18Gn(ResNetStem.ImageNet, imageSize: 224, classes: 1000, weightStandardisation),
            "resnet18-gn-32" => new ResNet18Gn(ResNetStem.Small, imageSize: 32, classes: 10, weightStandardisation),
            "wrn16-4" => new WideResNet16x4(classes: 10, weightStandardisation),
            _ => throw new ArgumentException($"Unknown model '{name}'; known models: {string.Join(", ", Names)}.", nameof(name)),
        };
        ParameterVector.Load(model, SeededInitialisation.Draw(model, seed));
        return model;
    }
}
