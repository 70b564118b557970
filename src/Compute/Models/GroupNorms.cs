using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.Models;

/// <summary>
/// GroupNorm as the private ResNets use it: normalises within each example (so, unlike BatchNorm, it
/// keeps per-example gradients per-example), with γ = 1 and β = 0 set explicitly because TorchSharp
/// 0.107 leaves them uninitialised. (<see cref="SeededInitialisation"/> writes the same values again.)
/// </summary>
public static class GroupNorms
{
    public static GroupNorm Create(long groups, long channels)
    {
        if (channels % groups != 0) throw new ArgumentException($"{channels} channels do not split into {groups} groups.", nameof(groups));
        var norm = nn.GroupNorm(groups, channels);
        using (no_grad())
        {
            norm.weight!.fill_(1.0);
            norm.bias!.zero_();
        }
        return norm;
    }
}
