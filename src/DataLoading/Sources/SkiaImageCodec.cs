using SkiaSharp;
using Veil.DataLoading.Datasets;

namespace Veil.DataLoading.Sources;

/// <summary>
/// JPEG/PNG bytes ⇄ channel-major pixel bytes, through SkiaSharp. Grey images decode to one
/// channel, colour images to three (RGB, alpha dropped); a source asks for the channel count it
/// declared, and grey is replicated to RGB or RGB reduced to grey (ITU-R BT.601 luma) to match.
///
/// Anything short of a complete decode — a truncated JPEG that Skia would fill with grey, an
/// unknown format, a header that lies — is a <see cref="DatasetFormatException"/> naming the file:
/// a silently half-grey training image is worse than a clear error.
/// </summary>
public static class SkiaImageCodec
{
    /// <summary>Reads only the header: the shape the image would decode to (1 or 3 channels).</summary>
    public static ImageShape PeekShape(byte[] encoded, string name)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new DatasetFormatException(name, "is not a readable JPEG or PNG image; the file is damaged or not an image");
        return new ImageShape(codec.Info.ColorType == SKColorType.Gray8 ? 1 : 3, codec.Info.Height, codec.Info.Width);
    }

    /// <summary>Decodes <paramref name="encoded"/> to <paramref name="channels"/> (1 or 3) channel-major bytes.</summary>
    /// <param name="name">The file (or shard and member) to name in errors.</param>
    public static (ImageShape Shape, byte[] Pixels) Decode(ReadOnlySpan<byte> encoded, int channels, string name)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "image files decode to 1 or 3 channels");
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new DatasetFormatException(name, "is not a readable JPEG or PNG image; the file is damaged or not an image");
        int width = codec.Info.Width, height = codec.Info.Height;
        bool grey = codec.Info.ColorType == SKColorType.Gray8;
        var info = new SKImageInfo(width, height, grey ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Unpremul);
        SKCodecResult result = codec.GetPixels(info, out byte[] interleaved);
        if (result != SKCodecResult.Success)
            throw new DatasetFormatException(name, result == SKCodecResult.IncompleteInput
                ? "is truncated (the image data ends early); re-export or re-download it, or set veil.data.on-corrupt = skip"
                : $"could not be decoded ({result}); the file is damaged");

        int plane = width * height;
        var pixels = new byte[channels * plane];
        if (grey)
        {
            for (int c = 0; c < channels; c++) interleaved.AsSpan(0, plane).CopyTo(pixels.AsSpan(c * plane, plane));
        }
        else if (channels == 3)
        {
            for (int p = 0; p < plane; p++)
            {
                pixels[p] = interleaved[4 * p];
                pixels[plane + p] = interleaved[4 * p + 1];
                pixels[2 * plane + p] = interleaved[4 * p + 2];
            }
        }
        else
        {
            for (int p = 0; p < plane; p++)
                pixels[p] = (byte)Math.Clamp(
                    (int)Math.Round(0.299 * interleaved[4 * p] + 0.587 * interleaved[4 * p + 1] + 0.114 * interleaved[4 * p + 2]), 0, 255);
        }
        return (new ImageShape(channels, height, width), pixels);
    }

    /// <summary>Encodes channel-major bytes (1 or 3 channels) as PNG (lossless) or JPEG (<paramref name="jpegQuality"/> 1–100).</summary>
    public static byte[] Encode(ImageShape shape, ReadOnlySpan<byte> pixels, ImageFileFormat format, int jpegQuality = 95)
    {
        if (shape.Channels is not (1 or 3)) throw new ArgumentException($"only 1- or 3-channel images can be written as files, not {shape}");
        if (pixels.Length != shape.Size) throw new ArgumentException($"{pixels.Length} bytes are not one {shape} image");
        int plane = shape.Height * shape.Width;
        SKImageInfo info;
        byte[] interleaved;
        if (shape.Channels == 1)
        {
            info = new SKImageInfo(shape.Width, shape.Height, SKColorType.Gray8, SKAlphaType.Opaque);
            interleaved = pixels.ToArray();
        }
        else
        {
            info = new SKImageInfo(shape.Width, shape.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
            interleaved = new byte[4 * plane];
            for (int p = 0; p < plane; p++)
            {
                interleaved[4 * p] = pixels[p];
                interleaved[4 * p + 1] = pixels[plane + p];
                interleaved[4 * p + 2] = pixels[2 * plane + p];
                interleaved[4 * p + 3] = 255;
            }
        }
        using var image = SKImage.FromPixelCopy(info, interleaved, info.RowBytes)
            ?? throw new InvalidOperationException($"SkiaSharp could not wrap a {shape} image");
        using var encoded = image.Encode(format == ImageFileFormat.Png ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg,
                                         format == ImageFileFormat.Png ? 100 : jpegQuality)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {shape} image as {format}");
        return encoded.ToArray();
    }
}
