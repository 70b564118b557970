namespace Veil.Ledger.Events;

/// <summary>Several (possibly different) mechanisms run one after another.</summary>
public sealed record Composed(IReadOnlyList<DpEvent> Events) : DpEvent
{
    public IReadOnlyList<DpEvent> Events { get; } = Events ?? throw new ArgumentNullException(nameof(Events));

    // Records compare lists by reference; a history compares by content.
    public bool Equals(Composed? other) => other is not null && Events.SequenceEqual(other.Events);

    public override int GetHashCode() => Events.Aggregate(17, (h, e) => h * 31 + e.GetHashCode());
}
