using Veil.DataLoading.Datasets;

namespace Veil.DataLoading.Sources;

/// <summary>
/// Writes an <see cref="ImageDataset"/> as an image-folder tree that <see cref="ImageFolderSource"/>
/// reads back in the same order: <c>root/&lt;kk&gt;-&lt;class name&gt;/&lt;index&gt;.png|jpg</c>, class folders
/// zero-padded so ordinal order is label order, file names the zero-padded example index.
/// </summary>
public static class ImageFolderWriter
{
    /// <returns>The number of files written.</returns>
    public static int Write(ImageDataset dataset, string root, ImageFileFormat format, IReadOnlyList<string>? classNames = null,
                            int jpegQuality = 95, int threads = 0)
    {
        Directory.CreateDirectory(root);
        string[] folders = ClassFolderNames(dataset.Classes, classNames);
        foreach (string folder in folders) Directory.CreateDirectory(Path.Combine(root, folder));
        var shape = new ImageShape(dataset.Channels, dataset.Height, dataset.Width);
        int size = dataset.ExampleSize, digits = Math.Max(6, dataset.Count.ToString().Length);
        Parallel.For(0, dataset.Count, new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount }, i =>
        {
            byte[] encoded = SkiaImageCodec.Encode(shape, dataset.Pixels.AsSpan(i * size, size), format, jpegQuality);
            File.WriteAllBytes(Path.Combine(root, folders[dataset.Labels[i]], i.ToString("D" + digits) + "." + format.Extension()), encoded);
        });
        return dataset.Count;
    }

    /// <summary>"03-dress": the label zero-padded (so ordinal order is label order), then the class name made file-safe.</summary>
    public static string[] ClassFolderNames(int classes, IReadOnlyList<string>? classNames = null)
    {
        int digits = Math.Max(2, (classes - 1).ToString().Length);
        return Enumerable.Range(0, classes).Select(k =>
        {
            string label = k.ToString("D" + digits);
            if (classNames is null || k >= classNames.Count) return label;
            string slug = new string(classNames[k].ToLowerInvariant().Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '-').ToArray()).Trim('-');
            return slug.Length == 0 ? label : label + "-" + slug;
        }).ToArray();
    }
}
