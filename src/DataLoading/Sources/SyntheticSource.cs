using System.Globalization;
using Veil.DataLoading.Datasets;

namespace Veil.DataLoading.Sources;

/// <summary>
/// <c>synthetic:cifar[:N]</c> and <c>synthetic:cifar-test[:N]</c>: generated 3×32×32 images in 10 classes
/// (<see cref="SyntheticImageDataset"/>), CIFAR-shaped so the 32×32 catalog models can be trained and
/// benchmarked without a download. It is not real data: its name and description say SYNTHETIC so
/// no report can pass it off as CIFAR. Defaults: 50 000 train, 10 000 test (CIFAR-10's sizes).
/// </summary>
public static class SyntheticSource
{
    public const string Prefix = "synthetic:";

    private const ulong TrainSeed = 0xC1FA5EEDUL;
    private const ulong TestSeed = TrainSeed ^ 0x5DEECE66DUL;

    public static bool Names(string spec) => spec.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    public static IImageSource Open(string spec)
    {
        var parts = spec[Prefix.Length..].Split(':');
        var (kind, seed, count) = parts[0].ToLowerInvariant() switch
        {
            "cifar" => ("train", TrainSeed, 50_000),
            "cifar-test" => ("test", TestSeed, 10_000),
            _ => throw new ArgumentException(
                $"data source {spec}: unknown synthetic set '{parts[0]}'; use synthetic:cifar[:N] (training) or synthetic:cifar-test[:N] (test)"),
        };
        if (parts.Length > 2
                || (
                    parts.Length == 2
                        && !(int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out count) && count is >= 1 and <= 1_000_000)))
            throw new ArgumentException(
                $"data source {spec}: the count after '{Prefix}{parts[0]}:' must be an integer in [1, 1000000], e.g. {Prefix}{parts[0]}:5000");
        var generated = SyntheticImageDataset.Create(count, seed, classes: 10, height: 32, width: 32, channels: 3);
        // The description becomes plan.json's "dataset" and the report's data line: it must say what this is.
        return new InMemoryImageSource(new ImageDataset(
            $"synthetic-cifar/{kind}", $"SYNTHETIC 3×32×32 {kind} images, not real data ({spec}; {generated.Source})",
            generated.Channels, generated.Height, generated.Width, generated.Pixels, generated.Labels, generated.Classes));
    }
}
