namespace Veil.DataLoading.Datasets;

/// <summary>
/// The four Fashion-MNIST files found in one directory. Each may be gzip (the upstream and Debian
/// form) or already decompressed; the reader tells them apart by content.
/// </summary>
public sealed record FashionMnistFiles(string Directory, string TrainImages, string TrainLabels, string TestImages, string TestLabels)
{
    /// <summary>Upstream file names without the ".gz" suffix (the same names MNIST uses).</summary>
    public static IReadOnlyList<string> BaseNames { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>The four files in <paramref name="directory"/>, or null if any is missing.</summary>
    public static FashionMnistFiles? In(string directory)
    {
        var found = new string[BaseNames.Count];
        for (int i = 0; i < found.Length; i++)
        {
            string gz = Path.Combine(directory, BaseNames[i] + ".gz");
            string raw = Path.Combine(directory, BaseNames[i]);
            string? file = File.Exists(gz) ? gz : File.Exists(raw) ? raw : null;
            if (file is null) return null;
            found[i] = file;
        }
        return new FashionMnistFiles(directory, found[0], found[1], found[2], found[3]);
    }
}
