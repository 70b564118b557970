using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Actors.Tests.Library;

/// <summary>A network no catalog has: one conv, GroupNorm, a pooled linear head (1×28×28 in, <c>classes</c> logits out).</summary>
public sealed class TinyGnNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv = nn.Conv2d(1, 4, 5, stride: 2);
    private readonly GroupNorm norm = nn.GroupNorm(2, 4);
    private readonly Linear head;

    public TinyGnNet(int classes, long seed) : base(nameof(TinyGnNet))
    {
        head = nn.Linear(4 * 12 * 12, classes);
        RegisterComponents();
        // Seeded draws of our own: libtorch's global generator is shared by the replicas' threads.
        var random = new Random(unchecked((int)seed));
        using var _ = no_grad();
        foreach (var p in parameters())
        {
            var values = new float[p.numel()];
            for (var i = 0; i < values.Length; i++) values[i] = (float)((2 * random.NextDouble() - 1) * 0.05);
            p.copy_(tensor(values).reshape(p.shape));
        }
        norm.weight!.fill_(1.0);
        norm.bias!.zero_();
    }

    public override Tensor forward(Tensor input) => head.call(norm.call(conv.call(input)).relu().flatten(1));
}
