using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.Models;

/// <summary>784 → hidden → 10 with tanh: small enough that tests of the gradient machinery run in milliseconds.</summary>
public sealed class Mlp : VeilModel
{
    readonly Linear fc1;
    readonly Linear fc2;

    public Mlp(int hidden = 32) : base(nameof(Mlp))
    {
        if (hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "At least one hidden unit.");
        fc1 = nn.Linear(784, hidden);
        fc2 = nn.Linear(hidden, 10);
        RegisterComponents();
    }

    public override string CatalogName => "mlp";
    public override long[] ExampleShape => new long[] { 1, 28, 28 };
    public override int Classes => 10;

    public override Tensor forward(Tensor input) => fc2.call(fc1.call(input.flatten(1)).tanh());
}
