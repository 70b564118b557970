using System.Security.Cryptography;

namespace Veil.DataLoading.Sampling;

/// <summary>
/// The 256-bit secret from which every step's Poisson batch is derived. Production runs draw it
/// from the operating system's CSPRNG (<see cref="FromCsprng"/>): DP-SGD's guarantee assumes the
/// batch membership is unpredictable. It is stored with the run (<see cref="ToHex"/>) so a resumed
/// run redraws exactly the batches it would have drawn. Tests fix it with <see cref="FromUInt64"/>.
/// <see cref="ToString"/> does not print it, so it does not leak into logs.
/// </summary>
public sealed class SamplerSeed
{
    public const int Length = 32;

    private readonly byte[] _bytes;

    private SamplerSeed(byte[] bytes) => _bytes = bytes;

    /// <summary>A fresh seed from <see cref="RandomNumberGenerator"/>: use this for every real run.</summary>
    public static SamplerSeed FromCsprng() => new(RandomNumberGenerator.GetBytes(Length));

    /// <summary>A fixed, reproducible seed for tests and benchmarks (not secret: never for a real run).</summary>
    public static SamplerSeed FromUInt64(ulong value)
    {
        var bytes = new byte[Length];
        BitConverter.TryWriteBytes(bytes, value);
        if (!BitConverter.IsLittleEndian) Array.Reverse(bytes, 0, 8);
        return new SamplerSeed(bytes);
    }

    /// <summary>Parses the 64 hex characters written by <see cref="ToHex"/> (from a run's saved state).</summary>
    public static SamplerSeed FromHex(string hex)
    {
        if (hex is null || hex.Length != 2 * Length || !hex.All(Uri.IsHexDigit))
            throw new FormatException($"a sampler seed is {2 * Length} hex characters; the run's saved seed is damaged (got {hex?.Length ?? 0} characters)");
        return new SamplerSeed(Convert.FromHexString(hex));
    }

    /// <summary>
    /// The seed of the <paramref name="priorReleases"/>-th re-release of a step: the first release uses this
    /// seed itself, each later one a one-way derivation, so a step released again after a crash draws a new,
    /// independent Poisson sample (see <see cref="Veil.Ledger.Store.PriorReleases"/>).
    /// </summary>
    public SamplerSeed ForRelease(int priorReleases)
    {
        if (priorReleases < 0) throw new ArgumentOutOfRangeException(nameof(priorReleases), priorReleases, "prior releases are counted from 0");
        return priorReleases == 0
            ? this
            : new SamplerSeed(Veil.Ledger.Randomness.ReReleaseKey.Derive("veil.sampler-seed.re-release.v1", _bytes, priorReleases));
    }

    /// <summary>The seed as 64 lower-case hex characters, to persist with the run. Treat it as a secret.</summary>
    public string ToHex() => Convert.ToHexStringLower(_bytes);

    internal ReadOnlySpan<byte> Bytes => _bytes;

    public override string ToString() => "SamplerSeed(secret)";
}
