namespace Veil.Ledger.Events;

/// <summary>
/// A release whose noise and sampling came from keys the user fixed (a reproducible debugging run): anyone
/// who knows the keys can subtract the noise, so it guarantees nothing. Every accountant gives it ε = +∞,
/// and anything composed with it is +∞ too, however many times (even zero) it ran. It is recorded as such,
/// so the examples it touched are visibly spent.
/// </summary>
public sealed record InsecureRandomness(DpEvent Inner) : DpEvent
{
    public DpEvent Inner { get; } = Inner ?? throw new ArgumentNullException(nameof(Inner));

    /// <summary>Whether <paramref name="dpEvent"/> is, or contains, an insecure release.</summary>
    public static bool IsIn(DpEvent dpEvent) => dpEvent switch
    {
        InsecureRandomness => true,
        PoissonSampled p => IsIn(p.Inner),
        UserLevel u => IsIn(u.Inner),
        SelfComposed s => IsIn(s.Inner),
        Composed c => c.Events.Any(IsIn),
        _ => false,
    };
}
