namespace Veil.DataLoading.Datasets;

/// <summary>
/// Deterministic, learnable stand-in for an image dataset, for tests of other layers (no download,
/// any size). Class k's prototype is a stripe pattern whose orientation and frequency depend on k,
/// plus a bright square at a class-specific place; each example shifts the prototype by up to
/// ±2 pixels and adds uniform noise, so a small model separates the classes but not trivially.
/// Same arguments → same bytes, on every machine.
/// </summary>
public static class SyntheticImageDataset
{
    public static ImageDataset Create(int count, ulong seed, int classes = 10, int height = 28, int width = 28, int channels = 1,
                                      string name = "synthetic")
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be ≥ 0");
        if (classes is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(classes), classes, "classes must be 1..256");
        if (height < 4 || width < 4 || channels < 1)
            throw new ArgumentException($"synthetic images must be at least 4×4 with ≥ 1 channel, not {channels}×{height}×{width}");

        byte[][] prototypes = Enumerable.Range(0, classes).Select(k => Prototype(k, classes, height, width)).ToArray();
        var random = new SplitMix64(seed);
        int exampleSize = channels * height * width;
        var pixels = new byte[(long)count * exampleSize];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int label = random.NextInt(classes);
            labels[i] = (byte)label;
            int dy = random.NextInt(5) - 2, dx = random.NextInt(5) - 2;
            byte[] prototype = prototypes[label];
            Span<byte> example = pixels.AsSpan(i * exampleSize, exampleSize);
            for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int sy = Math.Clamp(y + dy, 0, height - 1), sx = Math.Clamp(x + dx, 0, width - 1);
                int value = prototype[sy * width + sx] + random.NextInt(81) - 40;
                example[(c * height + y) * width + x] = (byte)Math.Clamp(value, 0, 255);
            }
        }
        return new ImageDataset(name, $"SyntheticImageDataset(count={count}, seed={seed}, classes={classes})",
            channels, height, width, pixels, labels, classes);
    }

    /// <summary>A train and a test split from independent streams of the same class prototypes.</summary>
    public static DatasetSplits CreateSplits(int trainCount, int testCount, ulong seed, int classes = 10, int height = 28, int width = 28) =>
        new(Create(trainCount, seed, classes, height, width, name: "synthetic/train"),
            Create(testCount, seed ^ 0x5DEECE66DUL, classes, height, width, name: "synthetic/test"));

    private static byte[] Prototype(int k, int classes, int height, int width)
    {
        double angle = Math.PI * k / classes;
        double frequency = 2 * Math.PI * (2 + k % 3) / Math.Max(height, width);
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        int side = Math.Max(2, Math.Min(height, width) / 5);
        int squareY = (k * 7 % Math.Max(1, height - side)), squareX = (k * 11 % Math.Max(1, width - side));
        var image = new byte[height * width];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            double stripes = 0.5 + 0.5 * Math.Sin(frequency * (x * cos + y * sin));
            bool inSquare = y >= squareY && y < squareY + side && x >= squareX && x < squareX + side;
            image[y * width + x] = (byte)(inSquare ? 255 : 40 + 140 * stripes);
        }
        return image;
    }
}
