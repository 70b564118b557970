namespace Veil.Ledger.Events;

/// <summary>The same mechanism run Count times (adaptive composition).</summary>
public sealed record SelfComposed(DpEvent Inner, long Count) : DpEvent
{
    public DpEvent Inner { get; } = Inner ?? throw new ArgumentNullException(nameof(Inner));

    public long Count { get; } = Count >= 0
        ? Count
        : throw new ArgumentOutOfRangeException(nameof(Count), Count, "count must be >= 0");
}
