using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Veil.Ledger.Scopes;
using Veil.Ledger.Store;
using Veil.Ledger.Tests.Store;
using Xunit;

namespace Veil.Ledger.Tests.Scopes;

public class ExampleIdentityKeyTests : IDisposable
{
    private readonly TemporaryLedger _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void An_identity_is_the_first_8_bytes_big_endian_of_the_keyed_hmac_of_the_content()
    {
        var keyBytes = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var content = Encoding.UTF8.GetBytes("1x28x28:pixels…");
        byte[] message = [.. Encoding.ASCII.GetBytes("veil.example-identity.v1\n"), .. content];
        var mac = HMACSHA256.HashData(keyBytes, message);
        var key = ExampleIdentityKey.FromBytes(keyBytes);
        Assert.Equal(BinaryPrimitives.ReadUInt64BigEndian(mac), key.Identify(content));
        Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(keyBytes, Encoding.ASCII.GetBytes("veil.example-identity.check.v1"))), key.CheckValue);
        Assert.Equal(keyBytes, key.ToBytes());
    }

    [Fact]
    public void Another_key_gives_other_identities_and_another_check_value()
    {
        var (a, b) = (ExampleIdentityKey.Generate(), ExampleIdentityKey.Generate());
        byte[] content = [1, 2, 3];
        Assert.NotEqual(a.Identify(content), b.Identify(content));
        Assert.NotEqual(a.CheckValue, b.CheckValue);
        Assert.DoesNotContain(Convert.ToHexStringLower(a.ToBytes()), a.CheckValue);
    }

    [Fact]
    public void A_key_file_is_created_once_readable_by_its_owner_only_and_read_back()
    {
        var path = Path.Combine(_folder.Folder, "keys", "identity.key");
        var created = ExampleIdentityKey.LoadOrCreate(path);
        var read = ExampleIdentityKey.LoadOrCreate(path);
        Assert.Equal(created.ToBytes(), read.ToBytes());
        Assert.Equal(Convert.ToHexStringLower(created.ToBytes()), File.ReadAllText(path).Trim());
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // nothing left aside
    }

    [Fact]
    public void A_malformed_key_file_is_refused_naming_the_path_and_the_fix()
    {
        var path = Path.Combine(_folder.Folder, "identity.key");
        File.WriteAllText(path, "not a key\n");
        var e = Assert.Throws<LedgerException>(() => ExampleIdentityKey.LoadOrCreate(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("64 hex digits", e.Message);
        Assert.Equal("not a key\n", File.ReadAllText(path)); // never replaced
    }

    [Fact]
    public void A_ledger_keeps_the_first_key_bound_to_it_and_refuses_another_naming_the_key_file()
    {
        using var store = _folder.Open();
        var (first, other) = (ExampleIdentityKey.Generate(), ExampleIdentityKey.Generate());
        ExampleIdentityKey.RequireMatches(store, first, "/keys/first.key");
        ExampleIdentityKey.RequireMatches(store, first, "/keys/first.key");
        var e = Assert.Throws<LedgerException>(() => ExampleIdentityKey.RequireMatches(store, other, "/keys/other.key"));
        Assert.Contains(store.Location, e.Message);
        Assert.Contains(first.CheckValue[..8], e.Message);
        Assert.Contains("/keys/other.key", e.Message);
        Assert.Contains("veil.privacy.ledger.identity-key", e.Message);
    }
}
