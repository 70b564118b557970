namespace Veil.DataLoading.Sources;

/// <summary>
/// A training split, whatever its storage: N examples addressable by index 0…N−1 in a fixed order,
/// so Poisson sampling (which picks indices) works the same over IDX arrays, CIFAR files, image
/// folders and tar shards. Random access is the contract: sources that live in streams (tar shards)
/// keep an index of member offsets, built once and cached beside the data, and seek.
///
/// <see cref="Decode"/> must be safe to call from several decode tasks at once. A damaged example
/// throws <see cref="Datasets.DatasetFormatException"/> naming its file (and member); the
/// <see cref="CorruptExamplePolicy"/> decides what happens then. Missing files and folders are
/// found when the source is opened, never mid-run.
/// </summary>
public interface IImageSource : IDisposable
{
    /// <summary>Human name, e.g. "fashion-mnist/train" or the folder's name.</summary>
    string Name { get; }

    /// <summary>Where the data lives (paths); named in errors.</summary>
    string Description { get; }

    /// <summary>N, the number of examples (the sampler's population).</summary>
    int Count { get; }

    int Classes { get; }

    /// <summary>The nominal image shape (every example of fixed-size formats; the first file's for folders and shards).</summary>
    ImageShape Shape { get; }

    /// <summary>
    /// Lower-case hex SHA-256 identifying the content, the privacy ledger's dataset key. In-memory
    /// formats hash decoded pixels and labels (<see cref="Datasets.DatasetFingerprint"/>); folders and
    /// shards hash their encoded examples (<see cref="EncodedExampleFingerprint"/>), from a manifest
    /// cached beside the data.
    /// </summary>
    string Fingerprint { get; }

    /// <summary>The class of example <paramref name="index"/>, without decoding it; −1 when the example's label is missing (damaged).</summary>
    int LabelOf(int index);

    /// <summary>Example <paramref name="index"/>'s pixels and label.</summary>
    DecodedImage Decode(int index);

    /// <summary>Encoded bytes read from storage so far (for the data benchmark's MB/s).</summary>
    long BytesRead { get; }
}
