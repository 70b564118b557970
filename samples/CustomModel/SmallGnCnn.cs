using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Samples.CustomModel;

/// <summary>
/// The team's own network, not one of Veil's: two 3×3 conv blocks (8 and 16 channels, each GroupNorm → ReLU →
/// MaxPool 2) and a linear head, for 1×28×28 images. GroupNorm, not BatchNorm: it normalises within one example, so
/// each example's gradient stays its own and DP-SGD can clip it.
/// </summary>
public sealed class SmallGnCnn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1 = nn.Conv2d(1, 8, 3, padding: 1);
    private readonly GroupNorm norm1 = nn.GroupNorm(2, 8);
    private readonly Conv2d conv2 = nn.Conv2d(8, 16, 3, padding: 1);
    private readonly GroupNorm norm2 = nn.GroupNorm(4, 16);
    private readonly MaxPool2d pool = nn.MaxPool2d(2);
    private readonly Linear head;

    public SmallGnCnn(int classes, long seed) : base(nameof(SmallGnCnn))
    {
        head = nn.Linear(16 * 7 * 7, classes);
        RegisterComponents();
        Initialise(new Random(unchecked((int)seed)));
    }

    // Layers are invoked with call, not forward: Veil's per-example engine hooks each layer's call.
    public override Tensor forward(Tensor input)
    {
        var x = pool.call(norm1.call(conv1.call(input)).relu());
        x = pool.call(norm2.call(conv2.call(x)).relu());
        return head.call(x.flatten(1));
    }

    // From a seed of our own rather than libtorch's global generator, which every replica's thread shares.
    // TorchSharp 0.107 leaves GroupNorm's γ and β uninitialised, so they are set here too.
    private void Initialise(Random random)
    {
        using var _ = no_grad();
        var layers = new[] { (conv1.weight!, conv1.bias!, 1L * 9), (conv2.weight!, conv2.bias!, 8L * 9), (head.weight!, head.bias!, 16L * 7 * 7) };
        foreach (var (weight, bias, fanIn) in layers)
        {
            var bound = 1 / Math.Sqrt(fanIn);
            foreach (var p in new[] { weight, bias })
            {
                var values = new float[p.numel()];
                for (var i = 0; i < values.Length; i++) values[i] = (float)((2 * random.NextDouble() - 1) * bound);
                p.copy_(tensor(values).reshape(p.shape));
            }
        }
        foreach (var norm in new[] { norm1, norm2 })
        {
            norm.weight!.fill_(1.0);
            norm.bias!.zero_();
        }
    }
}
