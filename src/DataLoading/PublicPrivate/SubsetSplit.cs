namespace Veil.DataLoading.PublicPrivate;

/// <summary>A seeded random subset of <paramref name="Size"/> training examples is public; the rest (and the whole test split) is the private task.</summary>
public sealed record SubsetSplit(int Size, ulong Seed) : PublicSplit;
