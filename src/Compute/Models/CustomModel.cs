using TorchSharp;
using static TorchSharp.torch;

namespace Veil.Compute.Models;

/// <summary>
/// A caller's own TorchSharp network as a model Veil can train privately: one replica, wrapping one freshly built
/// network. The network is the only child, invoked with <c>call</c>, so the per-example engine's hooks see every
/// layer it has; its parameters are the model's, in the network's own order.
/// </summary>
public sealed class CustomModel : VeilModel
{
    /// <summary>Marks a run's model name (veil.model.name as saved) as the caller's, which only the caller can build again.</summary>
    public const string NamePrefix = "custom:";

    private readonly nn.Module<Tensor, Tensor> network;

    public CustomModel(string name, long[] exampleShape, int classes, nn.Module<Tensor, Tensor> network) : base(nameof(CustomModel))
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (exampleShape.Length == 0 || exampleShape.Any(d => d < 1))
            throw new ArgumentException(
                $"model {name}: an example shape needs positive dimensions, not [{string.Join(", ", exampleShape)}]", nameof(exampleShape));
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, $"model {name}: a classifier needs at least 2 classes");
        Name = name;
        ExampleShape = exampleShape.ToArray();
        Classes = classes;
        this.network = network ?? throw new ArgumentNullException(nameof(network));
        RegisterComponents();
    }

    /// <summary>The caller's name for the network (the run's plan.json and report carry it prefixed with <see cref="NamePrefix"/>).</summary>
    public string Name { get; }

    public override string CatalogName => NamePrefix + Name;

    public override long[] ExampleShape { get; }

    public override int Classes { get; }

    public static bool IsCustom(string modelName) => modelName.StartsWith(NamePrefix, StringComparison.Ordinal);

    public override Tensor forward(Tensor input) => network.call(input);
}
