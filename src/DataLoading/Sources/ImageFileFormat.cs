namespace Veil.DataLoading.Sources;

/// <summary>How images are encoded in folders and shards. PNG is lossless (read-back is exact); JPEG is lossy.</summary>
public enum ImageFileFormat
{
    Png,
    Jpeg,
}

public static class ImageFileFormats
{
    /// <summary>The extension written for <paramref name="format"/>, without the dot.</summary>
    public static string Extension(this ImageFileFormat format) => format == ImageFileFormat.Png ? "png" : "jpg";

    /// <summary>True for the extensions image folders and shards read (png, jpg, jpeg; any case), given with or without the dot.</summary>
    public static bool IsImageExtension(string extension)
    {
        string e = extension.TrimStart('.');
        return e.Equals("png", StringComparison.OrdinalIgnoreCase) || e.Equals("jpg", StringComparison.OrdinalIgnoreCase)
            || e.Equals("jpeg", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Parses "png" or "jpeg"/"jpg" (the CLI's and HOCON's spelling).</summary>
    public static ImageFileFormat Parse(string text) => text.ToLowerInvariant() switch
    {
        "png" => ImageFileFormat.Png,
        "jpeg" or "jpg" => ImageFileFormat.Jpeg,
        _ => throw new ArgumentException($"image format '{text}' is not png or jpeg"),
    };
}
