using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.Models;

/// <summary>
/// WRN-16-4 (Zagoruyko &amp; Komodakis) for 32×32×3 images with GroupNorm (16 groups): conv3×3 → 16, three
/// stages of two <see cref="WideBasicBlock"/>s of width 64, 128, 256 (stages 2 and 3 stride 2), GN →
/// ReLU → global average pooling → linear. The family De et al. (2022) use for private CIFAR-10 (there with weight
/// standardisation, optional here: then every convolution is a <see cref="StandardisedConv2d"/>).
/// </summary>
public sealed class WideResNet16x4 : VeilModel
{
    const long Groups = 16;
    readonly Convolution conv1;
    readonly ModuleList<WideBasicBlock> block1, block2, block3;
    readonly GroupNorm norm;
    readonly Linear fc;

    public WideResNet16x4(int classes = 10, bool weightStandardisation = false) : base(nameof(WideResNet16x4))
    {
        Classes = classes;
        var ws = weightStandardisation;
        conv1 = Convolutions.Create(ws, 3, 16, 3, stride: 1, padding: 1);
        block1 = nn.ModuleList(new WideBasicBlock(16, 64, 1, Groups, ws), new WideBasicBlock(64, 64, 1, Groups, ws));
        block2 = nn.ModuleList(new WideBasicBlock(64, 128, 2, Groups, ws), new WideBasicBlock(128, 128, 1, Groups, ws));
        block3 = nn.ModuleList(new WideBasicBlock(128, 256, 2, Groups, ws), new WideBasicBlock(256, 256, 1, Groups, ws));
        norm = GroupNorms.Create(Groups, 256);
        fc = nn.Linear(256, classes);
        RegisterComponents();
    }

    public override string CatalogName => "wrn16-4";
    public override long[] ExampleShape => new long[] { 3, 32, 32 };
    public override int Classes { get; }

    public override Tensor forward(Tensor input)
    {
        var x = conv1.call(input);
        foreach (var stage in new[] { block1, block2, block3 })
            foreach (var block in stage)
                x = block.call(x);
        x = nn.functional.relu(norm.call(x));
        return fc.call(nn.functional.adaptive_avg_pool2d(x, 1).flatten(1));
    }
}
