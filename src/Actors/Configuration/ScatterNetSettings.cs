using Akka.Configuration;

namespace Veil.Actors.Configuration;

/// <summary>`veil.last-layer.scatternet.*`: the scattering transform's scales J and angles L, and its group normalisation.</summary>
public sealed record ScatterNetSettings(int Scales, int Angles, int Groups, int PublicComponents = 0)
{
    public static ScatterNetSettings Default { get; } = new(2, 8, 27);

    public static ScatterNetSettings Create(Config c)
    {
        int Int(string key, int min, int max) =>
            (int)ConfigReading.Double(c, key, v => v >= min && v <= max && v == Math.Floor(v), $"integers [{min}, {max}]");
        var scales = Int("veil.last-layer.scatternet.scales", 1, 4);
        var angles = Int("veil.last-layer.scatternet.angles", 1, 16);
        var channels = Compute.Scattering.ScatteringTransform.ChannelCount(scales, angles);
        var groups = ConfigReading.Double(
            c, "veil.last-layer.scatternet.groups", v => v >= 1 && v == Math.Floor(v) && channels % v == 0,
            $"divisors of the {channels} scattering channels (J = {scales}, L = {angles})");
        var components = Int("veil.last-layer.scatternet.public-components", 0, int.MaxValue);
        return new ScatterNetSettings(scales, angles, (int)groups, components);
    }
}
