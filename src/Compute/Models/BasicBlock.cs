using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.Models;

/// <summary>
/// ResNet's basic block with GroupNorm in place of BatchNorm: conv3×3(stride) → GN → ReLU → conv3×3 →
/// GN, plus the input (through conv1×1(stride) → GN when the shape changes), then ReLU. Convolutions
/// have no bias (the norm's β plays that part); with weight standardisation every convolution is a <see cref="StandardisedConv2d"/>.
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    readonly Convolution conv1;
    readonly GroupNorm bn1;   // named as torchvision names them, so paths read model.layer2.0.bn1
    readonly Convolution conv2;
    readonly GroupNorm bn2;
    readonly Convolution? downsample_conv;
    readonly GroupNorm? downsample_norm;

    public BasicBlock(long inChannels, long outChannels, long stride, long groups, bool weightStandardisation = false) : base(nameof(BasicBlock))
    {
        conv1 = Convolutions.Create(weightStandardisation, inChannels, outChannels, 3, stride: stride, padding: 1);
        bn1 = GroupNorms.Create(groups, outChannels);
        conv2 = Convolutions.Create(weightStandardisation, outChannels, outChannels, 3, stride: 1, padding: 1);
        bn2 = GroupNorms.Create(groups, outChannels);
        if (stride != 1 || inChannels != outChannels)
        {
            downsample_conv = Convolutions.Create(weightStandardisation, inChannels, outChannels, 1, stride: stride);
            downsample_norm = GroupNorms.Create(groups, outChannels);
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var x = nn.functional.relu(bn1.call(conv1.call(input)));
        x = bn2.call(conv2.call(x));
        var shortcut = downsample_conv is null ? input : downsample_norm!.call(downsample_conv.call(input));
        return nn.functional.relu(x + shortcut);
    }
}
