using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.Models;

/// <summary>
/// Tramèr and Boneh (2021)'s ScatterNet + linear: one linear layer over the 81 × 7 × 7 group-normalised scattering
/// channels (<see cref="ScatterNetInput"/>). Their best private Fashion-MNIST model at ε = 3: the fixed features carry
/// the invariances a small private CNN would have to learn from noisy gradients.
/// </summary>
public sealed class ScatterNetLinear : VeilModel
{
    readonly Linear fc;

    public ScatterNetLinear(int classes = 10) : base(nameof(ScatterNetLinear))
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier needs at least 2 classes.");
        fc = nn.Linear(ScatterNetInput.Dimension, classes);
        Classes = classes;
        RegisterComponents();
    }

    public override string CatalogName => "scatternet-linear";
    public override long[] ExampleShape => ScatterNetInput.Shape;
    public override int Classes { get; }

    public override Tensor forward(Tensor input) => fc.call(input.flatten(1));
}
