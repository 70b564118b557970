using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.Models;

/// <summary>
/// A small GroupNorm CNN for 28×28 grey images, stronger than the tanh CNN when trained without noise
/// (public pre-training), cheap enough for 2 cores: three 3×3 conv blocks (16, 32, 64 channels, each
/// GroupNorm(4) → ReLU → MaxPool 2) → flatten(64·3·3) → FC128 → ReLU (the features) → FC classes.
/// GroupNorm, not BatchNorm, so the same model fine-tunes under DP (per-example gradients stay per-example).
/// </summary>
public sealed class GnCnn : VeilModel, IBackbone
{
    readonly Conv2d conv1 = nn.Conv2d(1, 16, 3, padding: 1);
    readonly GroupNorm gn1 = GroupNorms.Create(4, 16);
    readonly MaxPool2d pool1 = nn.MaxPool2d(2);
    readonly Conv2d conv2 = nn.Conv2d(16, 32, 3, padding: 1);
    readonly GroupNorm gn2 = GroupNorms.Create(4, 32);
    readonly MaxPool2d pool2 = nn.MaxPool2d(2);
    readonly Conv2d conv3 = nn.Conv2d(32, 64, 3, padding: 1);
    readonly GroupNorm gn3 = GroupNorms.Create(4, 64);
    readonly MaxPool2d pool3 = nn.MaxPool2d(2);
    readonly Linear fc1 = nn.Linear(64 * 3 * 3, 128);
    readonly Linear fc2;

    public GnCnn(int classes = 10) : base(nameof(GnCnn))
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier needs at least 2 classes.");
        fc2 = nn.Linear(128, classes);
        Classes = classes;
        RegisterComponents();
    }

    public override string CatalogName => "gn-cnn";
    public override long[] ExampleShape => new long[] { 1, 28, 28 };
    public override int Classes { get; }

    public long FeatureDimension => 128;
    public string HeadName => "fc2";
    public IReadOnlyList<string> LastBlock { get; } = ["fc1", "fc2"];

    public override Tensor forward(Tensor input) => fc2.call(Features(input));

    public Tensor Features(Tensor input)
    {
        var x = pool1.call(gn1.call(conv1.call(input)).relu());
        x = pool2.call(gn2.call(conv2.call(x)).relu());
        x = pool3.call(gn3.call(conv3.call(x)).relu());
        return fc1.call(x.flatten(1)).relu();
    }
}
