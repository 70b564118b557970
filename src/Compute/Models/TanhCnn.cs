using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.Models;

/// <summary>
/// The tanh CNN of Tramèr &amp; Boneh (2021) for 28×28×1 images:
/// Conv16 k8 s2 p2 → tanh → MaxPool2 s1 → Conv32 k4 s2 → tanh → MaxPool2 s1 → flatten(512) → FC32 → tanh → FC10.
/// tanh rather than ReLU because bounded activations keep gradient norms stable under clipping (their paper's finding).
/// No normalisation layers: nothing here mixes examples.
/// </summary>
public sealed class TanhCnn : VeilModel, IBackbone
{
    readonly Conv2d conv1 = nn.Conv2d(1, 16, 8, stride: 2, padding: 2);
    readonly Conv2d conv2 = nn.Conv2d(16, 32, 4, stride: 2);
    readonly Linear fc1 = nn.Linear(512, 32);
    readonly Linear fc2;

    public TanhCnn(int classes = 10) : base(nameof(TanhCnn))
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier needs at least 2 classes.");
        fc2 = nn.Linear(32, classes);
        Classes = classes;
        RegisterComponents();
    }

    public override string CatalogName => "tanh-cnn";
    public override long[] ExampleShape => new long[] { 1, 28, 28 };
    public override int Classes { get; }

    public long FeatureDimension => 32;
    public string HeadName => "fc2";
    public IReadOnlyList<string> LastBlock { get; } = ["fc1", "fc2"];

    public override Tensor forward(Tensor input) => fc2.call(Features(input));

    public Tensor Features(Tensor input)
    {
        var x = MaxPools.ChannelsLast(conv1.call(input).tanh(), 2, stride: 1);
        x = MaxPools.ChannelsLast(conv2.call(x).tanh(), 2, stride: 1);
        return fc1.call(x.flatten(1)).tanh();
    }
}
