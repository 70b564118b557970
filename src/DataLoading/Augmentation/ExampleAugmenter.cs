using System.Buffers;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;

namespace Veil.DataLoading.Augmentation;

/// <summary>
/// Applies <see cref="AugmentationSettings"/> to one decoded image, writing normalised floats
/// (channel, row, column) straight into a micro-batch row. Crop, padding and flip are one index map
/// (no intermediate image); only a resize makes a temporary (pooled) copy. Thread-safe: no mutable state.
/// </summary>
public sealed class ExampleAugmenter
{
    private readonly float[][] _tables;
    private readonly ulong _seed;

    /// <param name="sourceShape">The source's nominal shape; images of another size need a resize and/or crop.</param>
    /// <param name="seed">Augmentation seed (stored with the run, like the sampler's).</param>
    public ExampleAugmenter(AugmentationSettings settings, ImageShape sourceShape, ulong seed)
    {
        Settings = settings;
        _seed = seed;
        _tables = settings.Normalization.Tables(sourceShape.Channels);
        ImageShape resized = settings.ResizeShorterSide > 0 ? ResizedShape(sourceShape, settings.ResizeShorterSide) : sourceShape;
        OutputShape = settings.CropSize > 0 ? new ImageShape(sourceShape.Channels, settings.CropSize, settings.CropSize) : resized;
    }

    public AugmentationSettings Settings { get; }

    /// <summary>The shape of every output row: channels × crop² if cropping, else the (resized) source shape.</summary>
    public ImageShape OutputShape { get; }

    /// <summary>Writes augmentation <paramref name="k"/> of <paramref name="image"/> (example
    /// <paramref name="example"/> of step <paramref name="step"/>) into <paramref name="output"/>.</summary>
    /// <param name="name">The example's file, named if its size does not fit.</param>
    public void Apply(DecodedImage image, long step, int example, int k, Span<float> output, string name)
    {
        if (output.Length != OutputShape.Size) throw new ArgumentException($"output row holds {output.Length} floats, not {OutputShape}");
        if (image.Shape.Channels != OutputShape.Channels)
            throw new DatasetFormatException(name, $"decoded to {image.Shape.Channels} channels, the dataset has {OutputShape.Channels}");
        var random = new AugmentationRandom(_seed, step, example, k);
        byte[]? rented = null;
        try
        {
            ImageShape shape = image.Shape;
            ReadOnlySpan<byte> pixels = image.Pixels.Span;
            if (Settings.ResizeShorterSide > 0 && Math.Min(shape.Height, shape.Width) != Settings.ResizeShorterSide)
            {
                ImageShape target = ResizedShape(shape, Settings.ResizeShorterSide);
                rented = ArrayPool<byte>.Shared.Rent(target.Size);
                Resize(pixels, shape, rented.AsSpan(0, target.Size), target);
                pixels = rented.AsSpan(0, target.Size);
                shape = target;
            }

            int height = OutputShape.Height, width = OutputShape.Width;
            int cropY = 0, cropX = 0;
            if (Settings.CropSize > 0)
            {
                if (shape.Height < height || shape.Width < width)
                    throw new DatasetFormatException(
                        name, $"is {shape.Height}×{shape.Width} after resizing, smaller than the {height}×{width} crop; raise veil.data.augment.resize");
                if (Settings.CropMode == CropMode.Centre) { cropY = (shape.Height - height) / 2; cropX = (shape.Width - width) / 2; }
                else { cropY = random.NextInclusive(shape.Height - height); cropX = random.NextInclusive(shape.Width - width); }
            }
            else if (shape.Height != height || shape.Width != width)
            {
                throw new DatasetFormatException(
                    name,
                    $"is {shape.Height}×{shape.Width}, the dataset's images are {height}×{width}; " +
                    $"set veil.data.augment.resize and crop to bring images of mixed sizes to one");
            }
            int p = Settings.Padding;
            int padY = p > 0 ? random.NextInclusive(2 * p) - p : 0, padX = p > 0 ? random.NextInclusive(2 * p) - p : 0;
            bool flip = Settings.HorizontalFlip && random.NextBool();

            int plane = shape.Height * shape.Width;
            for (int c = 0; c < OutputShape.Channels; c++)
            {
                float[] table = _tables[c];
                float zero = table[0];
                ReadOnlySpan<byte> channel = pixels.Slice(c * plane, plane);
                for (int y = 0; y < height; y++)
                {
                    Span<float> row = output.Slice((c * height + y) * width, width);
                    int sy = y + padY;                                   // row inside the crop
                    if ((uint)sy >= (uint)height) { row.Fill(zero); continue; }
                    ReadOnlySpan<byte> source = channel.Slice((cropY + sy) * shape.Width + cropX, width);
                    for (int x = 0; x < width; x++)
                    {
                        int sx = (flip ? width - 1 - x : x) + padX;      // column inside the crop
                        row[x] = (uint)sx < (uint)width ? table[source[sx]] : zero;
                    }
                }
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The shape with its shorter side scaled to <paramref name="shorter"/>, aspect ratio kept (rounded).</summary>
    public static ImageShape ResizedShape(ImageShape shape, int shorter)
    {
        if (shape.Height <= shape.Width)
            return shape with { Height = shorter, Width = Math.Max(1, (int)Math.Round((double)shape.Width * shorter / shape.Height)) };
        return shape with { Width = shorter, Height = Math.Max(1, (int)Math.Round((double)shape.Height * shorter / shape.Width)) };
    }

    /// <summary>Bilinear resize per channel, pixel centres aligned (half-pixel offsets, as PIL and torchvision).</summary>
    public static void Resize(ReadOnlySpan<byte> source, ImageShape from, Span<byte> target, ImageShape to)
    {
        double scaleY = (double)from.Height / to.Height, scaleX = (double)from.Width / to.Width;
        int fromPlane = from.Height * from.Width, toPlane = to.Height * to.Width;
        for (int c = 0; c < from.Channels; c++)
        {
            ReadOnlySpan<byte> s = source.Slice(c * fromPlane, fromPlane);
            Span<byte> t = target.Slice(c * toPlane, toPlane);
            for (int y = 0; y < to.Height; y++)
            {
                double fy = Math.Clamp((y + 0.5) * scaleY - 0.5, 0, from.Height - 1);
                int y0 = (int)fy, y1 = Math.Min(y0 + 1, from.Height - 1);
                double wy = fy - y0;
                for (int x = 0; x < to.Width; x++)
                {
                    double fx = Math.Clamp((x + 0.5) * scaleX - 0.5, 0, from.Width - 1);
                    int x0 = (int)fx, x1 = Math.Min(x0 + 1, from.Width - 1);
                    double wx = fx - x0;
                    double top = s[y0 * from.Width + x0] * (1 - wx) + s[y0 * from.Width + x1] * wx;
                    double bottom = s[y1 * from.Width + x0] * (1 - wx) + s[y1 * from.Width + x1] * wx;
                    t[y * to.Width + x] = (byte)Math.Clamp((int)Math.Round(top * (1 - wy) + bottom * wy), 0, 255);
                }
            }
        }
    }
}
