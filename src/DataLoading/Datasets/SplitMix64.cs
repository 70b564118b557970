namespace Veil.DataLoading.Datasets;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fully specified generator, so synthetic data is
/// bit-identical on every platform and .NET version (System.Random's seeded sequence is not
/// a documented contract). For test data only; sampling uses an AES-CTR stream keyed by a secret (<see cref="Veil.Ledger.Randomness.KeyedRandomStream"/>).
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, <paramref name="bound"/>); the modulo bias is irrelevant for test images.</summary>
    public int NextInt(int bound) => (int)(NextUInt64() % (ulong)bound);
}
