using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Actors.Tests.Library;

/// <summary>A network DP-SGD must refuse: BatchNorm2d inside a named block, at model.block.bn.</summary>
public sealed class BatchNormNet : nn.Module<Tensor, Tensor>
{
    private readonly Sequential block = nn.Sequential(("conv", nn.Conv2d(1, 4, 5, stride: 2)), ("bn", nn.BatchNorm2d(4)), ("relu", nn.ReLU()));
    private readonly Linear head = nn.Linear(4 * 12 * 12, 10);

    public BatchNormNet() : base(nameof(BatchNormNet)) => RegisterComponents();

    public override Tensor forward(Tensor input) => head.call(block.call(input).flatten(1));
}
