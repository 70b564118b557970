namespace Veil.Ledger.Events;

/// <summary>
/// A release whose privacy unit is a person: <see cref="Inner"/> is the mechanism on the users (a Poisson sample of users,
/// each contributing at most <see cref="ExamplesPerUser"/> examples as one contribution clipped to C). Accountants read the
/// inner mechanism unchanged — the neighbouring datasets differ by one user — and the ledger keeps the unit beside it, so a
/// record says what its ε protects without the run's files.
/// </summary>
public sealed record UserLevel : DpEvent
{
    public UserLevel(DpEvent inner, int examplesPerUser)
    {
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
        if (examplesPerUser < 1)
            throw new ArgumentOutOfRangeException(nameof(examplesPerUser), examplesPerUser, "a user-level release takes at least one example per user");
        ExamplesPerUser = examplesPerUser;
    }

    public DpEvent Inner { get; }

    /// <summary>k: the most examples of one user in one release.</summary>
    public int ExamplesPerUser { get; }

    /// <summary>Whether <paramref name="dpEvent"/> is, or contains, a user-level release.</summary>
    public static bool IsIn(DpEvent dpEvent) => dpEvent switch
    {
        UserLevel => true,
        InsecureRandomness i => IsIn(i.Inner),
        PoissonSampled p => IsIn(p.Inner),
        SelfComposed s => IsIn(s.Inner),
        Composed c => c.Events.Any(IsIn),
        _ => false,
    };
}
