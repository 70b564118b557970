using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.Models;

/// <summary>
/// ResNet-18 with GroupNorm (32 groups) instead of BatchNorm, the architecture of Kurakin et al. (2022):
/// stem, four stages of two <see cref="BasicBlock"/>s (64, 128, 256, 512 channels; stages 2–4 halve the
/// resolution), global average pooling, one linear layer. <see cref="ResNetStem.ImageNet"/> for
/// 224×224 inputs, <see cref="ResNetStem.Small"/> for 32×32. With weight standardisation (BiT; the DP ImageNet papers)
/// every convolution, stem and shortcuts included, is a <see cref="StandardisedConv2d"/>.
/// </summary>
public sealed class ResNet18Gn : VeilModel
{
    const long Groups = 32;
    readonly Convolution conv1;
    readonly GroupNorm bn1;
    readonly ModuleList<BasicBlock> layer1, layer2, layer3, layer4;
    readonly Linear fc;
    readonly ResNetStem _stem;
    readonly long[] _exampleShape;
    readonly int _classes;

    public ResNet18Gn(ResNetStem stem, long imageSize, int classes, bool weightStandardisation = false) : base(nameof(ResNet18Gn))
    {
        _stem = stem;
        _exampleShape = new long[] { 3, imageSize, imageSize };
        _classes = classes;
        var ws = weightStandardisation;
        conv1 = stem == ResNetStem.ImageNet
            ? Convolutions.Create(ws, 3, 64, 7, stride: 2, padding: 3)
            : Convolutions.Create(ws, 3, 64, 3, stride: 1, padding: 1);
        bn1 = GroupNorms.Create(Groups, 64);
        layer1 = Stage(64, 64, 1, ws);
        layer2 = Stage(64, 128, 2, ws);
        layer3 = Stage(128, 256, 2, ws);
        layer4 = Stage(256, 512, 2, ws);
        fc = nn.Linear(512, classes);
        RegisterComponents();
    }

    static ModuleList<BasicBlock> Stage(long inChannels, long outChannels, long stride, bool ws) =>
        nn.ModuleList(new BasicBlock(inChannels, outChannels, stride, Groups, ws), new BasicBlock(outChannels, outChannels, 1, Groups, ws));

    public override string CatalogName => _stem == ResNetStem.ImageNet ? "resnet18-gn" : "resnet18-gn-32";
    public override long[] ExampleShape => _exampleShape;
    public override int Classes => _classes;

    public override Tensor forward(Tensor input)
    {
        var x = nn.functional.relu(bn1.call(conv1.call(input)));
        if (_stem == ResNetStem.ImageNet) x = nn.functional.max_pool2d(x, 3, stride: 2, padding: 1);
        foreach (var stage in new[] { layer1, layer2, layer3, layer4 })
            foreach (var block in stage)
                x = block.call(x);
        x = nn.functional.adaptive_avg_pool2d(x, 1).flatten(1);
        return fc.call(x);
    }
}
