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
///
/// Other <see cref="FolderLayout"/>s put a user level in the tree (root/&lt;class&gt;/&lt;user&gt;/ or root/&lt;user&gt;/&lt;class&gt;/);
/// classes are then the class-level names in ordinal order, and examples are ordered by class, then relative path.
/// </summary>
public sealed class ImageFolderSource : IImageSource, IExampleFiles
{
    public const string ManifestFileName = ".veil-manifest.tsv";
    private const string ManifestHeader = "veil.folder-manifest.v1";

    private readonly string[] _files;      // full paths, index order
    private readonly int[] _labels;
    private readonly string[] _hashes;
    private long _bytesRead;

    private ImageFolderSource(string root, string[] classNames, string[] files, int[] labels, ImageShape shape, string fingerprint, int hashedFiles,
        string[] hashes)
    {
        _hashes = hashes;
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
    public static ImageFolderSource Open(string root, int? channels = null, FolderLayout layout = FolderLayout.Class)
    {
        root = Path.GetFullPath(root);
        if (!Directory.Exists(root))
            throw new DatasetNotFoundException(
                $"image folder {root} does not exist; export one with `veil data export --format folder --out {root}` or fix veil.data.source", [root]);
        var (classNames, files, labels) = Enumerate(root, layout);
        (string fingerprint, int hashed, string[] hashes) = Manifest(root, files, labels, classNames.Length);
        ImageShape first = SkiaImageCodec.PeekShape(File.ReadAllBytes(files[0].FullName), files[0].FullName);
        var shape = channels is { } c ? first with { Channels = c } : first;
        return new ImageFolderSource(root, classNames, files.Select(f => f.FullName).ToArray(), labels.ToArray(), shape, fingerprint, hashed, hashes);
    }

    private static (string[] ClassNames, List<FileInfo> Files, List<int> Labels) Enumerate(string root, FolderLayout layout)
    {
        static IEnumerable<DirectoryInfo> Folders(DirectoryInfo parent) =>
            parent.EnumerateDirectories().Where(d => !d.Name.StartsWith('.')).OrderBy(d => d.Name, StringComparer.Ordinal);
        static IEnumerable<FileInfo> Images(DirectoryInfo folder) =>
            folder.EnumerateFiles().Where(f => ImageFileFormats.IsImageExtension(f.Extension));

        var top = Folders(new DirectoryInfo(root)).ToList();
        if (top.Count == 0)
            throw new DatasetFormatException(root, layout == FolderLayout.UserThenClass
                ? "has no user sub-folders; with folder layout user/class it holds root/<user>/<class>/<file>"
                : "has no class sub-folders; an image folder holds one sub-folder of images per class");
        // (class name, file): files directly under a class folder of a class/user tree are kept, with no owner, so the
        // ownership check names them instead of silently leaving them out.
        var found = layout switch
        {
            FolderLayout.Class => top.SelectMany(c => Images(c).Select(f => (Class: c.Name, File: f))),
            FolderLayout.ClassThenUser => top.SelectMany(c => Images(c).Concat(Folders(c).SelectMany(Images)).Select(f => (Class: c.Name, File: f))),
            FolderLayout.UserThenClass => top.SelectMany(u => Folders(u).SelectMany(c => Images(c).Select(f => (Class: c.Name, File: f)))),
            _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown folder layout"),
        };
        var ordered = found.Select(x => (x.Class, x.File, Relative: Path.GetRelativePath(root, x.File.FullName)))
            .OrderBy(x => x.Class, StringComparer.Ordinal).ThenBy(x => x.Relative, StringComparer.Ordinal).ToList();
        // An empty class folder still holds a label, as it always has: labels must not shift when a class has no images yet.
        var classNames = layout == FolderLayout.UserThenClass
            ? top.SelectMany(u => Folders(u).Select(c => c.Name)).Distinct().Order(StringComparer.Ordinal).ToArray()
            : top.Select(c => c.Name).ToArray();
        if (ordered.Count == 0) throw new DatasetFormatException(root, "holds no .png, .jpg or .jpeg files in its class folders");
        if (classNames.Length > 65536) throw new DatasetFormatException(root, $"has {classNames.Length} class folders; at most 65536 are supported");
        var classIndex = classNames.Select((name, k) => (name, k)).ToDictionary(x => x.name, x => x.k, StringComparer.Ordinal);
        return (classNames, ordered.Select(x => x.File).ToList(), ordered.Select(x => classIndex[x.Class]).ToList());
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

    public string RelativePathOf(int index) => Path.GetRelativePath(Root, _files[index]).Replace(Path.DirectorySeparatorChar, '/');

    public string Sha256Of(int index) => _hashes[index];

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

    private static (string Fingerprint, int Hashed, string[] Hashes) Manifest(string root, List<FileInfo> files, List<int> labels, int classes)
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
        var hashes = new string[files.Count];
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
            hashes[i] = hash.ToLowerInvariant();
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
        return (EncodedExampleFingerprint.Of(classes, entries), hashed, hashes);
    }
}
