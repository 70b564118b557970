namespace Veil.DataLoading.Augmentation;

/// <summary>
/// The random numbers of one augmentation: SplitMix64 (Steele, Lea, Flood 2014) started from a mix
/// of (seed, step, example index, k), so any augmentation can be redrawn alone, in any order, on any
/// thread. Not cryptographic, and need not be: augmentation does not enter the privacy analysis.
/// </summary>
internal struct AugmentationRandom
{
    private ulong _state;

    public AugmentationRandom(ulong seed, long step, int example, int k)
    {
        _state = seed;
        _state = Mix(_state ^ Mix((ulong)step + 0x9E3779B97F4A7C15UL));
        _state = Mix(_state ^ Mix((ulong)(uint)example + 0xD1B54A32D192ED03UL));
        _state = Mix(_state ^ Mix((ulong)(uint)k + 0x8CB92BA72F3D8DD7UL));
    }

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        return Mix(z);
    }

    /// <summary>Uniform in [0, bound] inclusive (bound ≥ 0), by rejection: no modulo bias.</summary>
    public int NextInclusive(int bound)
    {
        if (bound <= 0) return 0;
        ulong range = (ulong)bound + 1, limit = ulong.MaxValue - ulong.MaxValue % range;
        ulong x;
        do x = NextUInt64(); while (x >= limit);
        return (int)(x % range);
    }

    public bool NextBool() => (NextUInt64() >> 63) != 0;

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
