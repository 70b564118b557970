using Microsoft.Win32.SafeHandles;
using Veil.DataLoading.Datasets;

namespace Veil.DataLoading.Sources;

/// <summary>
/// WebDataset-style tar shards as a random-access source. Each shard's <see cref="TarShardIndex"/>
/// (member offsets, cached beside the shard) is loaded at open; decoding example i is one positional
/// read (<see cref="RandomAccess.Read(SafeFileHandle, Span{byte}, long)"/>: no shared file position,
/// so any number of decode tasks read at once) of its image member, then a JPEG/PNG decode.
/// Poisson sampling thus costs one seek per sampled example, whatever the shard size; the shards
/// are never listed or extracted.
///
/// Every shard must exist when the source is opened (a missing one is a
/// <see cref="DatasetNotFoundException"/> naming it). A shard whose tar headers are damaged is an
/// error at open under <see cref="CorruptExamplePolicy.Fail"/>; under Skip its readable members are
/// used. Damaged examples are decided when sampled (see <see cref="IImageSource.Decode"/>).
///
/// Memory: the index holds one small record per example (about 150 bytes with its key), fine for
/// ImageNet's 1.3M; memory-mapping the cached indexes is the step for 10⁸.
/// </summary>
public sealed class TarShardSource : IImageSource
{
    private readonly string[] _shards;
    private readonly TarSample[] _samples;
    private readonly int[] _shardOf;
    private readonly Lazy<SafeFileHandle>[] _handles;
    private long _bytesRead;

    private TarShardSource(string pattern, string[] shards, TarSample[] samples, int[] shardOf, int classes, ImageShape shape,
                           string fingerprint, int rebuilt)
    {
        Description = pattern;
        _shards = shards;
        _samples = samples;
        _shardOf = shardOf;
        Classes = classes;
        Shape = shape;
        Fingerprint = fingerprint;
        RebuiltIndexes = rebuilt;
        _handles = shards.Select(
            s => new Lazy<SafeFileHandle>(() => File.OpenHandle(s, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess)))
            .ToArray();
    }

    /// <param name="pattern">Shards, as <see cref="ShardPattern"/> reads them.</param>
    /// <param name="policy">What to do with a shard whose headers are damaged (see the class summary).</param>
    /// <param name="classes">The class count if known; null: the largest label + 1.</param>
    /// <param name="channels">1 or 3 to force grey or RGB; null: the first image's.</param>
    public static TarShardSource Open(string pattern, CorruptExamplePolicy policy = CorruptExamplePolicy.Fail, int? classes = null, int? channels = null)
    {
        string[] shards = ShardPattern.Expand(pattern).Select(Path.GetFullPath).ToArray();
        var samples = new List<TarSample>();
        var shardOf = new List<int>();
        int rebuilt = 0;
        for (int s = 0; s < shards.Length; s++)
        {
            TarShardIndex index = TarShardIndex.Load(shards[s]);
            if (index.Rebuilt) rebuilt++;
            if (index.StructuralDamage is { } damage && policy == CorruptExamplePolicy.Fail)
                throw new DatasetFormatException(
                    shards[s], damage + "; re-create the shard, or set veil.data.on-corrupt = skip to use the members before the damage");
            samples.AddRange(index.Samples);
            shardOf.AddRange(Enumerable.Repeat(s, index.Samples.Count));
        }
        if (samples.Count == 0) throw new DatasetFormatException(pattern, "the shards hold no examples (key.png|jpg + key.cls members)");

        int maxLabel = samples.Max(x => x.Label);
        int classCount = classes ?? maxLabel + 1;
        if (classCount < 1) throw new DatasetFormatException(pattern, "no example has a readable label (.cls member)");
        TarSample[] all = samples.Select(x => x.Label >= classCount
            ? x with { Label = -1, Damage = $"has label {x.Label}, not below the {classCount} classes" } : x).ToArray();

        int first = Array.FindIndex(all, x => x.Damage is null);
        if (first < 0) throw new DatasetFormatException(pattern, "every example in the shards is damaged");
        string fingerprint = EncodedExampleFingerprint.Of(classCount, all.Select(x => (x.Label, x.ContentHash)).ToArray());
        var source = new TarShardSource(pattern, shards, all, shardOf.ToArray(), classCount, default, fingerprint, rebuilt);
        ImageShape shape = SkiaImageCodec.PeekShape(source.ReadMember(first), source.MemberPath(first));
        source.Shape = channels is { } c ? shape with { Channels = c } : shape;
        return source;
    }

    /// <summary>The shard files, in index order.</summary>
    public IReadOnlyList<string> Shards => _shards;

    /// <summary>Shards whose index was (re)built by this open rather than read from its cache.</summary>
    public int RebuiltIndexes { get; }

    public string Name => Path.GetFileName(Path.GetDirectoryName(_shards[0])) ?? "shards";

    public string Description { get; }

    public int Count => _samples.Length;

    public int Classes { get; }

    public ImageShape Shape { get; private set; }

    public string Fingerprint { get; }

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public int LabelOf(int index) => _samples[index].Label;

    /// <summary>"shard.tar:key.png", how errors name an example.</summary>
    public string MemberPath(int index) => _shards[_shardOf[index]] + ":" + _samples[index].MemberName;

    public DecodedImage Decode(int index)
    {
        TarSample sample = _samples[index];
        if (sample.Damage is { } damage) throw new DatasetFormatException(MemberPath(index), damage);
        byte[] encoded = ReadMember(index);
        (ImageShape shape, byte[] pixels) = SkiaImageCodec.Decode(encoded, Shape.Channels, MemberPath(index));
        return new DecodedImage(shape, pixels, sample.Label);
    }

    private byte[] ReadMember(int index)
    {
        TarSample sample = _samples[index];
        var buffer = new byte[sample.Length];
        int total = 0;
        try
        {
            SafeFileHandle handle = _handles[_shardOf[index]].Value;
            while (total < buffer.Length)
            {
                int n = RandomAccess.Read(handle, buffer.AsSpan(total), sample.Offset + total);
                if (n == 0) break;
                total += n;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetFormatException(MemberPath(index), $"could not be read ({e.Message})", e);
        }
        Interlocked.Add(ref _bytesRead, total);
        if (total < buffer.Length)
            throw new DatasetFormatException(MemberPath(index), $"is truncated: {total} of {buffer.Length} bytes (the shard changed since it was indexed?)");
        return buffer;
    }

    public void Dispose()
    {
        foreach (var h in _handles) if (h.IsValueCreated) h.Value.Dispose();
    }
}
