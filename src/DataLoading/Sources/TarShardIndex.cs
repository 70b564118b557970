using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;

namespace Veil.DataLoading.Sources;

/// <summary>
/// The index of one tar shard, so a Poisson-sampled example is one seek and one read instead of a
/// scan: built by streaming through the shard once (System.Formats.Tar, headers then data, never
/// extracted to disk) and cached beside it as <c>&lt;shard&gt;.veil-index</c>. The cache records the
/// shard's size and last-write time and is rebuilt when either differs.
///
/// Members are grouped into examples by key (the member name up to the first '.' of its file name,
/// WebDataset's convention; the members of one key must be adjacent). An example needs one image
/// member (png, jpg, jpeg) and one <c>cls</c> member (the class as ASCII digits); other members are
/// ignored. An example whose image member runs past the end of the file, or that lacks a member,
/// stays in the index marked damaged: it was part of the data, so it stays part of N, and the
/// corrupt-example policy decides about it when it is sampled. A header that cannot be read ends
/// the shard there (<see cref="StructuralDamage"/>).
/// </summary>
public sealed class TarShardIndex
{
    public const string CacheSuffix = ".veil-index";
    private const string CacheMagic = "veil.tar-index.v1";

    private TarShardIndex(string shard, IReadOnlyList<TarSample> samples, string? structuralDamage, bool rebuilt)
    {
        Shard = shard;
        Samples = samples;
        StructuralDamage = structuralDamage;
        Rebuilt = rebuilt;
    }

    public string Shard { get; }

    public IReadOnlyList<TarSample> Samples { get; }

    /// <summary>Why the shard's members could not all be listed (a damaged header), or null.</summary>
    public string? StructuralDamage { get; }

    /// <summary>True when this load scanned the shard (no cache, or a stale one); false when the cache was used.</summary>
    public bool Rebuilt { get; }

    /// <summary>The cached index if it still matches the shard's size and last-write time, else a fresh scan (cached if the folder is writable).</summary>
    public static TarShardIndex Load(string shard)
    {
        var info = new FileInfo(shard);
        string cache = shard + CacheSuffix;
        if (TryReadCache(cache, info.Length, info.LastWriteTimeUtc.Ticks) is { } cached)
            return new TarShardIndex(shard, cached.Samples, cached.Damage, rebuilt: false);

        (List<TarSample> samples, string? damage) = Scan(shard);
        try
        {
            WriteCache(cache + ".tmp", info.Length, info.LastWriteTimeUtc.Ticks, samples, damage);
            File.Move(cache + ".tmp", cache, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Read-only shard folder: correct without the cache, rescanned at every open.
        }
        return new TarShardIndex(shard, samples, damage, rebuilt: true);
    }

    private static (List<TarSample>, string?) Scan(string shard)
    {
        var samples = new List<TarSample>();
        using var stream = new FileStream(shard, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long fileLength = stream.Length;
        using var reader = new TarReader(stream, leaveOpen: true);
        Pending? current = null;
        string? damage = null;
        while (true)
        {
            long headerAt = stream.Position;
            TarEntry? entry;
            try
            {
                entry = reader.GetNextEntry(copyData: false);
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException)
            {
                damage = $"the tar header at byte {headerAt} is damaged ({e.Message}); members after it are lost";
                break;
            }
            if (entry is null) break;
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;

            // On a seekable stream TarReader has already skipped the data and its padding to the next
            // header, so the data began that many 512-byte blocks back (extension headers come before).
            long next = stream.Position;
            long dataStart = next - (entry.Length + 511) / 512 * 512;
            string name = entry.Name;
            int slash = name.LastIndexOf('/');
            int dot = name.IndexOf('.', slash + 1);
            if (dot < 0) continue;
            string key = name[..dot], extension = name[(dot + 1)..];
            if (current is not null && current.Key != key)
            {
                samples.Add(current.ToSample());
                current = null;
            }
            current ??= new Pending(key);

            long available = Math.Max(0, Math.Min(entry.Length, fileLength - dataStart));
            bool truncated = available < entry.Length;
            if (extension.Equals("cls", StringComparison.OrdinalIgnoreCase))
            {
                byte[] text = ReadAt(stream, dataStart, (int)Math.Min(available, 64));
                if (truncated) current.Damage ??= $"member {name} is truncated";
                else if (int.TryParse(Encoding.ASCII.GetString(text).Trim(), out int label) && label >= 0) current.Label = label;
                else current.Damage ??= $"member {name} does not hold a class number";
            }
            else if (ImageFileFormats.IsImageExtension(extension))
            {
                if (entry.Length > int.MaxValue) { current.Damage ??= $"member {name} is over 2 GiB"; stream.Position = next; continue; }
                current.Extension = extension;
                current.Offset = dataStart;
                current.Length = (int)entry.Length;
                stream.Position = dataStart;
                using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    byte[] buffer = new byte[1 << 16];
                    for (long left = available; left > 0;)
                    {
                        int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                        if (n == 0) break;
                        hash.AppendData(buffer, 0, n);
                        left -= n;
                    }
                    current.Hash = hash.GetHashAndReset();
                }
                if (truncated) current.Damage ??= $"member {name} is truncated ({available} of {entry.Length} bytes present)";
            }
            if (truncated)
            {
                damage = $"the shard ends inside member {name}";
                break;
            }
            stream.Position = next;                    // where TarReader expects the next header
        }
        if (current is not null) samples.Add(current.ToSample());
        return (samples, damage);
    }

    private static byte[] ReadAt(FileStream stream, long offset, int count)
    {
        stream.Position = offset;
        var buffer = new byte[count];
        stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
        stream.Position = offset;
        return buffer;
    }

    private sealed class Pending(string key)
    {
        public string Key { get; } = key;
        public string Extension { get; set; } = "";
        public long Offset { get; set; } = -1;
        public int Length { get; set; }
        public int Label { get; set; } = -1;
        public byte[] Hash { get; set; } = SHA256.HashData(ReadOnlySpan<byte>.Empty);
        public string? Damage { get; set; }

        public TarSample ToSample()
        {
            string? damage = Damage
                ?? (Offset < 0 ? "has no image member (.png, .jpg or .jpeg)" : Label < 0 ? "has no .cls member (its label)" : null);
            return new TarSample(Key, Extension, Offset, Length, damage is null ? Label : -1, Hash, damage);
        }
    }

    private static void WriteCache(string path, long size, long ticks, List<TarSample> samples, string? damage)
    {
        using var writer = new BinaryWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16));
        writer.Write(CacheMagic);
        writer.Write(size);
        writer.Write(ticks);
        writer.Write(damage ?? "");
        writer.Write(samples.Count);
        foreach (TarSample s in samples)
        {
            writer.Write(s.Key);
            writer.Write(s.Extension);
            writer.Write(s.Offset);
            writer.Write(s.Length);
            writer.Write(s.Label);
            writer.Write(s.ContentHash);
            writer.Write(s.Damage ?? "");
        }
    }

    private static (List<TarSample> Samples, string? Damage)? TryReadCache(string path, long size, long ticks)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var reader = new BinaryReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16));
            if (reader.ReadString() != CacheMagic || reader.ReadInt64() != size || reader.ReadInt64() != ticks) return null;
            string damage = reader.ReadString();
            int count = reader.ReadInt32();
            var samples = new List<TarSample>(count);
            for (int i = 0; i < count; i++)
            {
                string key = reader.ReadString(), extension = reader.ReadString();
                long offset = reader.ReadInt64();
                int length = reader.ReadInt32(), label = reader.ReadInt32();
                byte[] hash = reader.ReadBytes(32);
                string why = reader.ReadString();
                samples.Add(new TarSample(key, extension, offset, length, label, hash, why.Length > 0 ? why : null));
            }
            return (samples, damage.Length > 0 ? damage : null);
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return null;                               // a damaged cache is rebuilt, never trusted
        }
    }
}
