using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Veil.Ledger.Store;

namespace Veil.Ledger.Scopes;

/// <summary>
/// The secret that turns an example's canonical content into its identity in the ledger: the first 8 bytes
/// (big-endian) of HMAC-SHA256(key, "veil.example-identity.v1\n" ‖ content). Keyed, so a ledger's scopes
/// reveal nothing about the examples to whoever reads the ledger without the key; one key per ledger, so
/// the same example always has the same identity across runs. 64 bits suffice: two examples that collide
/// merely share one identity, so each is charged with the other's runs too: collisions over-count privacy
/// spent, never under-count it.
/// </summary>
public sealed class ExampleIdentityKey
{
    public const int Length = 32;

    private static readonly byte[] IdentityDomain = Encoding.ASCII.GetBytes("veil.example-identity.v1\n");
    private static readonly byte[] UserDomain = Encoding.ASCII.GetBytes("veil.user-identity.v1\n");
    private static readonly byte[] CheckDomain = Encoding.ASCII.GetBytes("veil.example-identity.check.v1");

    private readonly byte[] _key;

    private ExampleIdentityKey(byte[] key)
    {
        _key = key;
        CheckValue = Convert.ToHexStringLower(HMACSHA256.HashData(_key, CheckDomain));
    }

    /// <summary>
    /// A public fingerprint of the key (HMAC of a fixed string, so it reveals nothing of the key), stored in
    /// the ledger so that a process hashing examples with a different key is refused instead of silently
    /// giving every example a fresh budget.
    /// </summary>
    public string CheckValue { get; }

    public static ExampleIdentityKey Generate() => new(RandomNumberGenerator.GetBytes(Length));

    public static ExampleIdentityKey FromBytes(ReadOnlySpan<byte> key) => key.Length == Length
        ? new ExampleIdentityKey(key.ToArray())
        : throw new ArgumentException($"an example identity key is {Length} bytes, not {key.Length}", nameof(key));

    public byte[] ToBytes() => (byte[])_key.Clone();

    /// <summary>The identity of the example whose canonical content (built by the data loader) is <paramref name="canonicalContent"/>.</summary>
    public ulong Identify(ReadOnlySpan<byte> canonicalContent)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        hmac.AppendData(IdentityDomain);
        hmac.AppendData(canonicalContent);
        Span<byte> mac = stackalloc byte[32];
        hmac.GetHashAndReset(mac);
        return BinaryPrimitives.ReadUInt64BigEndian(mac);
    }

    /// <summary>
    /// The identity of the person whose user id (from the data's ownership declaration) is <paramref name="userId"/>. Its own
    /// domain, so a user id can never collide with an example's content by construction; the same key, so one person has one
    /// identity in every run on this ledger, whichever of their examples a run used.
    /// </summary>
    public ulong IdentifyUser(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        hmac.AppendData(UserDomain);
        hmac.AppendData(Encoding.UTF8.GetBytes(userId));
        Span<byte> mac = stackalloc byte[32];
        hmac.GetHashAndReset(mac);
        return BinaryPrimitives.ReadUInt64BigEndian(mac);
    }

    /// <summary>
    /// Reads the key file (one line of hex), or creates it with a fresh key, readable by its owner only. The
    /// file appears whole or not at all (written aside, then renamed), and when two processes create it at
    /// once both end up with the one that landed first.
    /// </summary>
    public static ExampleIdentityKey LoadOrCreate(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full)) return Load(full);
        var folder = Path.GetDirectoryName(full)!;
        var aside = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(folder);
            var key = Generate();
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(aside, options))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
            {
                writer.Write(Convert.ToHexStringLower(key._key) + "\n");
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(aside, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            try
            {
                File.Move(aside, full, overwrite: false);
                return key;
            }
            catch (IOException) when (File.Exists(full))
            {
                return Load(full); // another process created it first: theirs is the key
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LedgerException(
                $"cannot create the example identity key file {full}: {e.Message}; " +
                $"make its folder writable or set veil.privacy.ledger.identity-key to an existing key file", e);
        }
        finally
        {
            if (File.Exists(aside)) File.Delete(aside);
        }
    }

    /// <summary>
    /// Binds this key to the ledger (its check value is stored on first use) and refuses a key other than
    /// the bound one: identities made with two keys never match, so every example would get a fresh budget.
    /// </summary>
    public static void RequireMatches(ILedgerStore store, ExampleIdentityKey key, string keyPath)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(key);
        var bound = store.BindIdentityKey(key.CheckValue);
        if (bound != key.CheckValue)
            throw new LedgerException(
                $"ledger {store.Location}'s example identities were made with another key (check value {bound[..Math.Min(8, bound.Length)]}…); " +
                $"this process's key file is {keyPath}: copy the key file that was used " +
                $"with this ledger to {keyPath} (or set veil.privacy.ledger.identity-key)");
    }

    private static ExampleIdentityKey Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LedgerException(
                $"cannot read the example identity key file {path}: {e.Message}; check its permissions (it must be readable by this user)", e);
        }
        if (text.Length != 2 * Length || !text.All(char.IsAsciiHexDigit))
            throw new LedgerException(
                $"the example identity key file {path} is malformed: it must hold one line of {2 * Length} hex digits. " +
                "Restore it from the copy used with this ledger (a new key would give every " +
                "example a fresh budget), or, for a new ledger, delete it to have one generated");
        return new ExampleIdentityKey(Convert.FromHexString(text));
    }
}
