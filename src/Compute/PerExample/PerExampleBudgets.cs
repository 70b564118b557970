namespace Veil.Compute.PerExample;

/// <summary>
/// Memory bounds of the outer-product layers' per-example work: input patches (and materialised gradients)
/// are formed for at most <see cref="ChunkBytes"/> (and, for speed, <see cref="CacheBytes"/>) of examples at a time, and materialised per-example
/// gradients are kept for the clipped sum only up to <see cref="KeepBytes"/> per layer. Constants of the
/// implementation, not settings: they trade nothing a user chooses (results are identical either way).
/// </summary>
internal sealed record PerExampleBudgets(long ChunkBytes, long KeepBytes, long CacheBytes = PerExampleBudgets.DefaultCacheBytes)
{
    // About a core's share of a server CPU's L2 + L3: a chunk of patches and gradients this size is still cached when its norms are taken.
    const long DefaultCacheBytes = 4L << 20;

    public static PerExampleBudgets Default { get; } = new(ChunkBytes: 32L << 20, KeepBytes: 64L << 20);

    static readonly AsyncLocal<PerExampleBudgets?> Override = new();

    public static PerExampleBudgets Current => Override.Value ?? Default;

    /// <summary>Tests only: other budgets for the calling flow (tiny ones make small layers chunk and drop); null restores the default.</summary>
    public static void Use(PerExampleBudgets? budgets) => Override.Value = budgets;
}
