using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Veil.Ledger.Randomness;

/// <summary>
/// A deterministic, cryptographically strong stream of random numbers keyed by (purpose, seed, index):
/// AES-256 in counter mode with key SHA-256(purpose ‖ seed ‖ index).
/// Why AES-CTR: DP noise must be unpredictable to anyone without the seed (a guessable generator lets
/// an observer subtract the noise), the same key must redraw the same numbers (a resumed run redraws
/// step s's noise exactly), and AES-NI makes it fast enough for millions of coordinates per step.
/// Not thread-safe; create one per use. It lives in Veil.Ledger, the one project both the sampler (DataLoading) and the
/// noise (Compute) may import, so all private randomness comes from one construction.
/// </summary>
public sealed class KeyedRandomStream : IDisposable
{
    const int BlocksPerRefill = 1024; // 16 KiB of keystream per AES call
    readonly Aes _aes;
    readonly byte[] _counters = new byte[16 * BlocksPerRefill];
    readonly byte[] _keystream = new byte[16 * BlocksPerRefill];
    ulong _nextBlock;
    int _position = 16 * BlocksPerRefill; // empty: refill on first use

    public KeyedRandomStream(string purpose, ReadOnlySpan<byte> seed, long index)
    {
        byte[] purposeBytes = Encoding.UTF8.GetBytes(purpose);
        // Length-prefix each part so (purpose, seed, index) tuples can never collide by concatenation.
        var material = new byte[4 + purposeBytes.Length + 4 + seed.Length + 8];
        var span = material.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, purposeBytes.Length);
        purposeBytes.CopyTo(span[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[(4 + purposeBytes.Length)..], seed.Length);
        seed.CopyTo(span[(8 + purposeBytes.Length)..]);
        BinaryPrimitives.WriteInt64LittleEndian(span[(8 + purposeBytes.Length + seed.Length)..], index);
        _aes = Aes.Create();
        _aes.Key = SHA256.HashData(material);
    }

    /// <summary>64 uniformly random bits.</summary>
    public ulong NextUInt64()
    {
        if (_position == _keystream.Length) Refill();
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(_keystream.AsSpan(_position));
        _position += 8;
        return value;
    }

    /// <summary>Uniform on the open interval (0, 1), 53 random bits: never 0, so log(u) is finite.</summary>
    public double NextOpenUnit() => ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

    void Refill()
    {
        for (int b = 0; b < BlocksPerRefill; b++)
        {
            var block = _counters.AsSpan(16 * b, 16);
            BinaryPrimitives.WriteUInt64LittleEndian(block, _nextBlock++);
            BinaryPrimitives.WriteUInt64LittleEndian(block[8..], 0);
        }
        _aes.EncryptEcb(_counters, _keystream, PaddingMode.None);
        _position = 0;
    }

    public void Dispose() => _aes.Dispose();
}
