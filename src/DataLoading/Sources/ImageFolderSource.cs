using System.Security.Cryptography;
using Veil.DataLoading.Datasets;

namespace Veil.DataLoading.Sources;

/// <summary>
/// An image-folder tree: <c>root/&lt;class&gt;/&lt;file&gt;.png|jpg|jpeg</c>, one sub-folder per class.
/// Class k is the k-th sub-folder in ordinal name order (hidden folders, starting with '.', are
/// ignored); examples are ordered by class, then file name (ordinal), which fixes the index the
/// sampler draws from. Other files are ignored.
///
/// Fingerprint: the first open hashes every file (SHA-256) and writes a manifest,
/// <c>root/.veil-manifest.tsv</c> (relative path, size, last-write time, hash per line). Later opens
/// re-hash only files whose size or last-write time changed, or that are new, and rewrite the
/// manifest when anything changed; files gone from disk drop out. If the root is read-only the
/// manifest is not written and every open hashes everything (slow, still correct).
/// </summary>
public sealed class ImageFolderSource : IImageSource
{
    public const string ManifestFileName = ".veil-manifest.tsv";
    private const string ManifestHeader = "veil.folder-manifest.v1";

    private readonly string[] _files;      // full paths, index order
    private readonly int[] _labels;
    private long _bytesRead;

    private ImageFolderSource(string root, string[] classNames, string[] files, int[] labels, ImageShape shape, string fingerprint, int hashedFiles)
    {
        Root = root;
        ClassNames = classNames;
        _files = files;
        _labels = labels;
        Shape = shape;
        Fingerprint = fingerprint;
        HashedFiles = hashedFiles;
    }

    /// <summary>Opens a folder tree, checking that it exists and holds at least one image.</summary>
    /// <param name="channels">1 or 3 to force grey or RGB; null to take the first image's.</param>
    /// <exception cref="DatasetNotFoundException">The root folder does not exist.</exception>
    public static ImageFolderSource Open(string root, int? channels = null)
    {
        root = Path.GetFullPath(root);
        if (!Directory.Exists(root))
            throw new DatasetNotFoundException(
                $"image folder {root} does not exist; export one with `veil data export --format folder --out {root}` or fix veil.data.source", [root]);
        string[] classDirs = Directory.GetDirectories(root).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal).ToArray();
        if (classDirs.Length == 0)
            throw new DatasetFormatException(root, "has no class sub-folders; an image folder holds one sub-folder of images per class");
        if (classDirs.Length > 65536) throw new DatasetFormatException(root, $"has {classDirs.Length} class folders; at most 65536 are supported");

        var files = new List<FileInfo>();
        var labels = new List<int>();
        for (int k = 0; k < classDirs.Length; k++)
        {
            foreach (FileInfo f in new DirectoryInfo(classDirs[k]).EnumerateFiles()
                         .Where(f => ImageFileFormats.IsImageExtension(f.Extension)).OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                files.Add(f);
                labels.Add(k);
            }
        }
        if (files.Count == 0) throw new DatasetFormatException(root, "holds no .png, .jpg or .jpeg files in its class folders");

        (string fingerprint, int hashed) = Manifest(root, files, labels, classDirs.Length);
        ImageShape first = SkiaImageCodec.PeekShape(File.ReadAllBytes(files[0].FullName), files[0].FullName);
        var shape = channels is { } c ? first with { Channels = c } : first;
        return new ImageFolderSource(root, classDirs.Select(Path.GetFileName).ToArray()!, files.Select(f => f.FullName).ToArray(), labels.ToArray(),
                                     shape, fingerprint, hashed);
    }

    public string Root { get; }

    /// <summary>The class folders' names, in label order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Files whose content was hashed by this open (0 when the cached manifest was current).</summary>
    public int HashedFiles { get; }

    public string Name => Path.GetFileName(Root);

    public string Description => Root;

    public int Count => _files.Length;

    public int Classes => ClassNames.Count;

    public ImageShape Shape { get; }

    public string Fingerprint { get; }

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>The file of example <paramref name="index"/>.</summary>
    public string PathOf(int index) => _files[index];

    public int LabelOf(int index) => _labels[index];

    public DecodedImage Decode(int index)
    {
        string path = _files[index];
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetFormatException(path, $"could not be read ({e.Message})", e);
        }
        Interlocked.Add(ref _bytesRead, bytes.Length);
        (ImageShape shape, byte[] pixels) = SkiaImageCodec.Decode(bytes, Shape.Channels, path);
        return new DecodedImage(shape, pixels, _labels[index]);
    }

    public void Dispose() { }

    private static (string Fingerprint, int Hashed) Manifest(string root, List<FileInfo> files, List<int> labels, int classes)
    {
        string manifestPath = Path.Combine(root, ManifestFileName);
        var cached = new Dictionary<string, (long Size, long Ticks, string Hash)>(StringComparer.Ordinal);
        if (File.Exists(manifestPath))
        {
            string[] lines = File.ReadAllLines(manifestPath);
            if (lines.Length > 0 && lines[0] == ManifestHeader)
                foreach (string line in lines.Skip(1))
                {
                    string[] f = line.Split('\t');
                    if (f.Length == 4 && long.TryParse(f[1], out long size) && long.TryParse(f[2], out long ticks) && f[3].Length == 64)
                        cached[f[0]] = (size, ticks, f[3]);
                }
        }

        int hashed = 0;
        var entries = new (int Label, byte[] ContentHash)[files.Count];
        var lines2 = new string[files.Count];
        bool changed = cached.Count != files.Count;
        for (int i = 0; i < files.Count; i++)
        {
            FileInfo f = files[i];
            string relative = Path.GetRelativePath(root, f.FullName);
            long ticks = f.LastWriteTimeUtc.Ticks;
            string hash;
            if (cached.TryGetValue(relative, out var c) && c.Size == f.Length && c.Ticks == ticks)
            {
                hash = c.Hash;
            }
            else
            {
                using (var stream = new FileStream(f.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
                    hash = Convert.ToHexStringLower(SHA256.HashData(stream));
                hashed++;
                changed = true;
            }
            entries[i] = (labels[i], Convert.FromHexString(hash));
            lines2[i] = $"{relative}\t{f.Length}\t{ticks}\t{hash}";
        }
        if (changed)
        {
            try
            {
                string temporary = manifestPath + ".tmp";
                File.WriteAllLines(temporary, lines2.Prepend(ManifestHeader));
                File.Move(temporary, manifestPath, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A read-only dataset folder: correct without the cache, just slower next time.
            }
        }
        return (EncodedExampleFingerprint.Of(classes, entries), hashed);
    }
}
