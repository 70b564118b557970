using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.Models;

/// <summary>784 → hidden → 10 with tanh: small enough that tests of the gradient machinery run in milliseconds.</summary>
public sealed class Mlp : VeilModel, IBackbone
{
    readonly Linear fc1;
    readonly Linear fc2;

    public Mlp(int hidden = 32, int classes = 10) : base(nameof(Mlp))
    {
        if (hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "At least one hidden unit.");
        fc1 = nn.Linear(784, hidden);
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier needs at least 2 classes.");
        fc2 = nn.Linear(hidden, classes);
        Classes = classes;
        FeatureDimension = hidden;
        RegisterComponents();
    }

    public override string CatalogName => "mlp";
    public override long[] ExampleShape => new long[] { 1, 28, 28 };
    public override int Classes { get; }

    public long FeatureDimension { get; }
    public string HeadName => "fc2";
    public IReadOnlyList<string> LastBlock { get; } = ["fc1", "fc2"];

    public override Tensor forward(Tensor input) => fc2.call(Features(input));

    public Tensor Features(Tensor input) => fc1.call(input.flatten(1)).tanh();
}
