using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.Models;

/// <summary>
/// A small CNN over the 81 scattering channels, after Tramèr and Boneh (2021)'s ScatterNet + CNN:
/// GroupNorm(27, 81) → conv 3×3 (pad 1) to 64 → tanh → max-pool 2 (7 → 3) → conv 3×3 (pad 1) to 64 → tanh → flatten (576) → FC classes.
/// The input is already group-normalised without parameters; the GroupNorm here adds their learned per-channel scale and
/// shift. Two convolutions only, because the scattering transform has already done the work of the first layers and
/// 7 × 7 leaves little room; tanh because bounded activations keep gradient norms stable under clipping (their finding);
/// GroupNorm, not BatchNorm, so per-example gradients stay per-example.
/// </summary>
public sealed class ScatterNetCnn : VeilModel
{
    readonly GroupNorm norm = GroupNorms.Create(ScatterNetInput.Groups, ScatterNetInput.Channels);
    readonly Conv2d conv1 = nn.Conv2d(ScatterNetInput.Channels, 64, 3, padding: 1);
    readonly MaxPool2d pool = nn.MaxPool2d(2);
    readonly Conv2d conv2 = nn.Conv2d(64, 64, 3, padding: 1);
    readonly Linear fc;

    public ScatterNetCnn(int classes = 10) : base(nameof(ScatterNetCnn))
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier needs at least 2 classes.");
        int pooled = ScatterNetInput.Side / 2;
        fc = nn.Linear(64 * pooled * pooled, classes);
        Classes = classes;
        RegisterComponents();
    }

    public override string CatalogName => "scatternet-cnn";
    public override long[] ExampleShape => ScatterNetInput.Shape;
    public override int Classes { get; }

    public override Tensor forward(Tensor input)
    {
        var x = pool.call(conv1.call(norm.call(input)).tanh());
        return fc.call(conv2.call(x).tanh().flatten(1));
    }
}
