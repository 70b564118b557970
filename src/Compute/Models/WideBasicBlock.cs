using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.Models;

/// <summary>
/// Wide ResNet's pre-activation block with GroupNorm: GN → ReLU → conv3×3(stride) → GN → ReLU → conv3×3,
/// plus the input (through conv1×1(stride) of the pre-activated input when the shape changes). With weight standardisation
/// every convolution is a <see cref="StandardisedConv2d"/>.
/// </summary>
public sealed class WideBasicBlock : nn.Module<Tensor, Tensor>
{
    readonly GroupNorm norm1;
    readonly Convolution conv1;
    readonly GroupNorm norm2;
    readonly Convolution conv2;
    readonly Convolution? shortcut;

    public WideBasicBlock(long inChannels, long outChannels, long stride, long groups, bool weightStandardisation = false) : base(nameof(WideBasicBlock))
    {
        norm1 = GroupNorms.Create(groups, inChannels);
        conv1 = Convolutions.Create(weightStandardisation, inChannels, outChannels, 3, stride: stride, padding: 1);
        norm2 = GroupNorms.Create(groups, outChannels);
        conv2 = Convolutions.Create(weightStandardisation, outChannels, outChannels, 3, stride: 1, padding: 1);
        if (stride != 1 || inChannels != outChannels)
            shortcut = Convolutions.Create(weightStandardisation, inChannels, outChannels, 1, stride: stride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var pre = nn.functional.relu(norm1.call(input));
        var x = conv1.call(pre);
        x = conv2.call(nn.functional.relu(norm2.call(x)));
        return x + (shortcut is null ? input : shortcut.call(pre));
    }
}
