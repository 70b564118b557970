using System.Security.Cryptography;
using System.Text;

namespace Veil.Ledger.Randomness;

/// <summary>
/// The key of the k-th re-release of a step (k ≥ 1): SHA-256 of a purpose tag, the run's secret key and k, a one-way
/// derivation, so each re-release draws randomness independent of the first release's and of every other one.
/// </summary>
public static class ReReleaseKey
{
    public static byte[] Derive(string purpose, ReadOnlySpan<byte> key, int priorReleases)
    {
        if (priorReleases < 1) throw new ArgumentOutOfRangeException(nameof(priorReleases), priorReleases, "a re-release follows at least one release");
        var tag = Encoding.UTF8.GetBytes(purpose + "\n");
        var material = new byte[tag.Length + key.Length + 4];
        tag.CopyTo(material, 0);
        key.CopyTo(material.AsSpan(tag.Length));
        BitConverter.TryWriteBytes(material.AsSpan(tag.Length + key.Length), priorReleases);
        return SHA256.HashData(material);
    }
}
