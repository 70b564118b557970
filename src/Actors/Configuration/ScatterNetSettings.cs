using Akka.Configuration;
using Veil.Compute.Scattering;

namespace Veil.Actors.Configuration;

/// <summary>`veil.last-layer.scatternet.*`: the scattering transform's scales J and angles L, the compression of its coefficients,
/// its group normalisation, and an optional projection on public principal components.</summary>
public sealed record ScatterNetSettings(int Scales, int Angles, int Groups, int PublicComponents = 0,
    string Compression = ScatteringCompression.None, double LogOffset = 0.01)
{
    public static ScatterNetSettings Default { get; } = new(2, 8, 27);

    /// <summary>The compression as it enters fingerprints and descriptions: the offset only where it matters.</summary>
    public string CompressionIdentity => Compression == ScatteringCompression.Log ? $"log (c = {LogOffset:R})" : Compression;

    public static ScatterNetSettings Create(Config c)
    {
        int Int(string key, int min, int max) =>
            (int)ConfigReading.Double(c, key, v => v >= min && v <= max && v == Math.Floor(v), $"integers [{min}, {max}]");
        var scales = Int("veil.last-layer.scatternet.scales", 1, 4);
        var angles = Int("veil.last-layer.scatternet.angles", 1, 16);
        var channels = ScatteringTransform.ChannelCount(scales, angles);
        var groups = ConfigReading.Double(
            c, "veil.last-layer.scatternet.groups", v => v >= 1 && v == Math.Floor(v) && channels % v == 0,
            $"divisors of the {channels} scattering channels (J = {scales}, L = {angles})");
        var components = Int("veil.last-layer.scatternet.public-components", 0, int.MaxValue);
        var compression = ConfigReading.OneOf(c, "veil.last-layer.scatternet.compression", ScatteringCompression.Names);
        var offset = ConfigReading.Double(
            c, "veil.last-layer.scatternet.log-offset", v => v > 0 && !double.IsInfinity(v), "positive finite numbers");
        return new ScatterNetSettings(scales, angles, (int)groups, components, compression, offset);
    }
}
