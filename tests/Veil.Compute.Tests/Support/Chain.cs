using TorchSharp;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.Support;

/// <summary>
/// Layers applied in order, each through call() so forward hooks fire, intermediates left alone (as
/// Veil's models do; TorchSharp's Sequential disposes them, which per-example capture refuses).
/// </summary>
public sealed class Chain : nn.Module<Tensor, Tensor>
{
    readonly string[] _names;

    public Chain(params (string Name, nn.Module<Tensor, Tensor> Layer)[] layers) : base(nameof(Chain))
    {
        _names = layers.Select(l => l.Name).ToArray();
        foreach (var (name, layer) in layers) register_module(name, layer);
    }

    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var name in _names) x = ((nn.Module<Tensor, Tensor>)named_children().First(c => c.name == name).module).call(x);
        return x;
    }
}
