using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Veil.DataLoading.Sampling;

/// <summary>
/// The random stream of one sampling step: AES-256 in counter mode, keyed by
/// SHA-256("veil.poisson-step.v1\n" ‖ seed ‖ step as int64 little-endian).
///
/// Why this construction: a stream that depends only on (seed, step) lets any step be redrawn
/// after a crash without replaying earlier steps; SHA-256 separates the steps' keys; and AES-CTR
/// is a cryptographic generator (batch membership stays unpredictable without the seed, which
/// DP-SGD assumes) that runs at gigabytes per second with AES-NI, so a step costs O(batch).
/// </summary>
internal sealed class StepRandomStream : IDisposable
{
    private const int Blocks = 64;                       // 1 KiB of output per AES call
    private static readonly byte[] Tag = "veil.poisson-step.v1\n"u8.ToArray();

    private readonly Aes _aes;
    private readonly byte[] _counters = new byte[Blocks * 16];
    private readonly byte[] _output = new byte[Blocks * 16];
    private int _position = Blocks * 16;                 // empty: the first read refills
    private ulong _counter;

    public StepRandomStream(SamplerSeed seed, long step)
    {
        Span<byte> material = stackalloc byte[Tag.Length + SamplerSeed.Length + 8];
        Tag.CopyTo(material);
        seed.Bytes.CopyTo(material[Tag.Length..]);
        BinaryPrimitives.WriteInt64LittleEndian(material[(Tag.Length + SamplerSeed.Length)..], step);
        _aes = Aes.Create();
        _aes.Key = SHA256.HashData(material);
    }

    public ulong NextUInt64()
    {
        if (_position == _output.Length) Refill();
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(_output.AsSpan(_position));
        _position += 8;
        return value;
    }

    /// <summary>Uniform on (0, 1] with 53-bit resolution: never 0, so log(u) is finite.</summary>
    public double NextOpenClosedUnit() => ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));

    private void Refill()
    {
        for (int b = 0; b < Blocks; b++)
            BinaryPrimitives.WriteUInt64LittleEndian(_counters.AsSpan(b * 16), _counter++);
        _aes.EncryptEcb(_counters, _output, PaddingMode.None);
        _position = 0;
    }

    public void Dispose() => _aes.Dispose();
}
