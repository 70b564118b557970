using Veil.Compute.Scattering;

namespace Veil.Compute.Models;

/// <summary>
/// What the ScatterNet catalog models take: the order-2 scattering transform (<see cref="ScatteringTransform"/>, J = 2,
/// L = 8) of a 28 × 28 one-channel image with pixels in [0, 1], group-normalised per example in G = 27 groups
/// (<see cref="ScatteringGroupNorm"/>; Tramèr and Boneh 2021's choice, and the last-layer recipe's): 81 × 7 × 7 values.
/// The map is fixed and uses no data, so a run computes it once per image and trains on it without spending privacy.
/// </summary>
public static class ScatterNetInput
{
    public const int Scales = 2;
    public const int Angles = 8;
    public const int Groups = 27;
    public const int ImageSide = 28;

    public static IReadOnlyList<string> Models { get; } = ["scatternet-linear", "scatternet-cnn"];

    public static int Channels => ScatteringTransform.ChannelCount(Scales, Angles);

    public static int Side => ImageSide >> Scales;

    public static long[] Shape => [Channels, Side, Side];

    public static int Dimension => Channels * Side * Side;

    /// <summary>Whether the catalog model <paramref name="model"/> trains on scattering features rather than pixels.</summary>
    public static bool IsTakenBy(string model) => Models.Contains(model);
}
