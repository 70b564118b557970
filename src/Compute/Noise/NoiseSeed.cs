using System.Security.Cryptography;

namespace Veil.Compute.Noise;

/// <summary>
/// The 256-bit secret from which every step's noise is derived. In production it comes from the OS CSPRNG
/// (<see cref="FromCsprng"/>) and is kept with the run's checkpoint so a resumed run redraws the same noise
/// for the same step. Anyone who knows it can subtract the noise from released gradients, so it is never
/// printed (<see cref="ToString"/> hides it) and never released with the model.
/// </summary>
public sealed class NoiseSeed : IEquatable<NoiseSeed>
{
    public const int Length = 32;
    readonly byte[] _bytes;

    NoiseSeed(byte[] bytes) => _bytes = bytes;

    public static NoiseSeed FromCsprng() => new(RandomNumberGenerator.GetBytes(Length));

    /// <summary>From an explicit value: for tests and deliberately reproducible experiments only (2⁶⁴ guessable values).</summary>
    public static NoiseSeed FromInt64(long value)
    {
        var bytes = new byte[Length];
        BitConverter.TryWriteBytes(bytes, value);
        return new NoiseSeed(bytes);
    }

    public static NoiseSeed FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length) throw new ArgumentException($"A noise seed is {Length} bytes; got {bytes.Length}.", nameof(bytes));
        return new NoiseSeed(bytes.ToArray());
    }

    /// <summary>For checkpoints (which must then be protected like the seed itself).</summary>
    public static NoiseSeed FromHex(string hex) => FromBytes(Convert.FromHexString(hex));

    public string ToHex() => Convert.ToHexString(_bytes);

    /// <summary>
    /// The seed of the <paramref name="priorReleases"/>-th re-release of a step (0: this seed): a step released
    /// again after a crash gets fresh, independent noise, so each ledger event is exactly one Gaussian draw.
    /// </summary>
    public NoiseSeed ForRelease(int priorReleases)
    {
        if (priorReleases < 0) throw new ArgumentOutOfRangeException(nameof(priorReleases), priorReleases, "prior releases are counted from 0");
        return priorReleases == 0 ? this : new NoiseSeed(Veil.Ledger.Randomness.ReReleaseKey.Derive("veil.noise-seed.re-release.v1", _bytes, priorReleases));
    }

    public ReadOnlySpan<byte> Bytes => _bytes;

    public override string ToString() => "NoiseSeed(secret)";

    public bool Equals(NoiseSeed? other) => other is not null && CryptographicOperations.FixedTimeEquals(_bytes, other._bytes);
    public override bool Equals(object? obj) => Equals(obj as NoiseSeed);
    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);
}
