using Veil.Actors.Configuration;
using Veil.Compute.Runtime;
using Veil.Compute.Scattering;
using Veil.Compute.Transfer;
using Veil.DataLoading.Datasets;

namespace Veil.Actors.Scattering;

/// <summary>
/// The one place that computes ScatterNet features, for last-layer fits and DP-SGD runs alike: the scattering transform of each
/// image's pixels in [0, 1] (<see cref="ScatteringTransform"/>), cached by (map, data) under runs/feature-cache (the transform
/// costs about a millisecond of CPU per image; a cached set is read back, a damaged one recomputed), then group-normalised
/// per example (<see cref="ScatteringGroupNorm"/>, cheap, so the cache holds the transform alone and serves every group count),
/// after an optional fixed compression of the coefficients (<see cref="ScatteringCompression"/>, as cheap and as data-free).
/// The map is fixed and uses no data: neither computing it nor normalising spends privacy.
/// </summary>
public sealed class ScatterNetFeatureMap(ScatterNetSettings settings, string cacheDirectory)
{
    private const string MapVersion = "scatternet/v1";
    private readonly FeatureCache _cache = new(cacheDirectory);

    public ScatterNetSettings Settings => settings;

    public int Channels => ScatteringTransform.ChannelCount(settings.Scales, settings.Angles);

    /// <summary>Values per image of side <paramref name="side"/>: channels × (side / 2^J)².</summary>
    public int Dimension(int side) => Channels * (side >> settings.Scales) * (side >> settings.Scales);

    /// <summary>The transform's identity for images of side <paramref name="side"/> (the cache's key, with the data's fingerprint).</summary>
    public string Identity(int side) => $"{MapVersion}\nside {side}, J {settings.Scales}, L {settings.Angles}";

    /// <summary>Why images of this shape cannot be transformed (to be prefixed by the key that asked), or null if they can.</summary>
    public string? Refusal(ImageDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Refusal(data.Name, data.Channels, data.Height, data.Width);
    }

    /// <inheritdoc cref="Refusal(ImageDataset)"/>
    public string? Refusal(string name, int channels, int height, int width) =>
        channels != 1 || height != width || height % (1 << settings.Scales) != 0
            ? $"needs square one-channel images whose side is a multiple of 2^J = {1 << settings.Scales}; {name} has {channels} × {height} × {width}"
            : null;

    /// <summary>The normalised features of every image of <paramref name="data"/>, example-major, or of its <paramref name="view"/> (its
    /// mirror image, a shift: another fixed function of each image alone, cached apart); <paramref name="fromCache"/> says whether the
    /// transform was read back.</summary>
    public float[] Apply(ImageDataset data, out bool fromCache, ImageView? view = null)
    {
        if (Refusal(data) is { } refusal) throw new ArgumentException(refusal, nameof(data));
        int dimension = Dimension(data.Height);
        var identity = Identity(data.Height) + (view is null ? "" : "\n" + view.Name);
        var values = _cache.GetOrCompute(identity, DatasetFingerprint.Of(data), data.Count, dimension, () =>
        {
            TorchRuntime.EnsureLoaded();
            var pixels = new float[data.Pixels.Length];
            for (long i = 0; i < pixels.LongLength; i++) pixels[i] = data.Pixels[i] / 255f;
            if (view is not null) pixels = view.Apply(pixels, data.Count, data.Height, data.Width);
            using var transform = new ScatteringTransform(data.Height, settings.Scales, settings.Angles);
            return transform.Apply(pixels, data.Count);
        }, out fromCache);
        ScatteringCompression.Apply(values, settings.Compression, settings.LogOffset);
        ScatteringGroupNorm.Apply(values, data.Count, Channels, dimension / Channels, settings.Groups);
        return values;
    }
}
