using Veil.DataLoading.Datasets;

namespace Veil.DataLoading.Sources;

/// <summary>
/// The CIFAR-10/100 "binary version": fixed-size records, no header. A record is the label byte(s)
/// then a 32×32 RGB image as 1024 red, 1024 green, 1024 blue bytes, rows top to bottom, which is
/// exactly <see cref="ImageDataset"/>'s channel-major layout, so pixels are copied, not shuffled.
/// CIFAR-100 records carry the coarse label first, then the fine one; Veil trains on the fine
/// label (100 classes) unless told otherwise.
/// </summary>
public static class CifarBinary
{
    public const int Side = 32;
    public const int Channels = 3;
    public const int ImageBytes = Channels * Side * Side;

    public static int LabelBytes(CifarVariant variant) => variant == CifarVariant.Cifar10 ? 1 : 2;

    public static int RecordBytes(CifarVariant variant) => LabelBytes(variant) + ImageBytes;

    public static int ClassCount(CifarVariant variant, bool coarse = false) =>
        variant == CifarVariant.Cifar10 ? 10 : coarse ? 20 : 100;

    /// <summary>Reads and concatenates <paramref name="paths"/> (e.g. the five training batches) into one split.</summary>
    /// <exception cref="DatasetFormatException">A file's length is not a whole number of records, or a label is out of range.</exception>
    public static ImageDataset Read(string name, IReadOnlyList<string> paths, CifarVariant variant, bool coarseLabels = false)
    {
        if (coarseLabels && variant != CifarVariant.Cifar100) throw new ArgumentException("only CIFAR-100 has coarse labels", nameof(coarseLabels));
        int record = RecordBytes(variant), classes = ClassCount(variant, coarseLabels);
        int labelOffset = variant == CifarVariant.Cifar100 && !coarseLabels ? 1 : 0;
        long total = 0;
        foreach (string path in paths)
        {
            if (!File.Exists(path))
                throw new DatasetNotFoundException($"CIFAR file {path} does not exist", [Path.GetDirectoryName(Path.GetFullPath(path)) ?? path]);
            long length = new FileInfo(path).Length;
            if (length == 0 || length % record != 0)
                throw new DatasetFormatException(
                    path, $"is {length} bytes, not a whole number of {variant} records of {record} bytes; the file is truncated or not {variant} binary");
            total += length / record;
        }
        if (total * ImageBytes > Array.MaxLength) throw new ArgumentException($"{total} CIFAR images do not fit one in-memory split");

        var pixels = new byte[total * ImageBytes];
        var labels = new byte[total];
        int example = 0;
        var buffer = new byte[record];
        foreach (string path in paths)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            int inFile = 0;
            while (stream.Position < stream.Length)
            {
                stream.ReadExactly(buffer);
                byte label = buffer[labelOffset];
                if (label >= classes)
                    throw new DatasetFormatException(
                        path, $"record {inFile} has label {label}, not below {classes} classes; the file is damaged or not {variant}");
                labels[example] = label;
                buffer.AsSpan(LabelBytes(variant), ImageBytes).CopyTo(pixels.AsSpan(example * ImageBytes, ImageBytes));
                example++;
                inFile++;
            }
        }
        return new ImageDataset(name, string.Join(" + ", paths), Channels, Side, Side, pixels, labels, classes);
    }

    /// <summary>
    /// Writes <paramref name="dataset"/> (3×32×32) as one CIFAR binary file. For CIFAR-100 the
    /// dataset's labels are the fine labels and <paramref name="coarseLabels"/> (default: fine / 5) the coarse.
    /// </summary>
    public static void Write(ImageDataset dataset, string path, CifarVariant variant, byte[]? coarseLabels = null)
    {
        if (dataset.Channels != Channels || dataset.Height != Side || dataset.Width != Side)
            throw new ArgumentException(
                $"CIFAR images are {Channels}×{Side}×{Side}; {dataset.Name} is {dataset.Channels}×{dataset.Height}×{dataset.Width}");
        if (dataset.Classes > ClassCount(variant))
            throw new ArgumentException($"{dataset.Name} has {dataset.Classes} classes; {variant} holds at most {ClassCount(variant)}");
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        for (int i = 0; i < dataset.Count; i++)
        {
            if (variant == CifarVariant.Cifar100) stream.WriteByte(coarseLabels?[i] ?? (byte)(dataset.Labels[i] / 5));
            stream.WriteByte(dataset.Labels[i]);
            stream.Write(dataset.Pixels, i * ImageBytes, ImageBytes);
        }
    }

    /// <summary>
    /// Both splits from a CIFAR folder (the folder itself or its cifar-10-batches-bin / cifar-100-binary
    /// sub-folder). Every file is checked to exist before any is read.
    /// </summary>
    public static DatasetSplits Load(string directory, CifarVariant variant, bool coarseLabels = false)
    {
        string sub = variant == CifarVariant.Cifar10 ? "cifar-10-batches-bin" : "cifar-100-binary";
        string[] train = variant == CifarVariant.Cifar10 ? [.. Enumerable.Range(1, 5).Select(b => $"data_batch_{b}.bin")] : ["train.bin"];
        string test = variant == CifarVariant.Cifar10 ? "test_batch.bin" : "test.bin";
        string[] searched = [directory, Path.Combine(directory, sub)];
        string? found = searched.FirstOrDefault(d => train.Append(test).All(f => File.Exists(Path.Combine(d, f))));
        if (found is null)
            throw new DatasetNotFoundException(
                $"{variant} binary files ({string.Join(", ", train.Append(test))}) are not in {string.Join(" or ", searched)}; " +
                "download the binary version and unpack it there, or point veil.data.path at it", searched);
        string prefix = variant == CifarVariant.Cifar10 ? "cifar-10" : "cifar-100";
        return new DatasetSplits(
            Read($"{prefix}/train", train.Select(f => Path.Combine(found, f)).ToArray(), variant, coarseLabels),
            Read($"{prefix}/test", [Path.Combine(found, test)], variant, coarseLabels));
    }
}
