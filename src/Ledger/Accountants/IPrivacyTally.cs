using Veil.Ledger.Events;

namespace Veil.Ledger.Accountants;

/// <summary>
/// A compact summary of a history that later events can be folded into, so ε can be kept current
/// without re-reading the history. Immutable: <see cref="With"/> returns a new tally, so a caller can
/// try an event and throw the result away (a refused or rolled-back append).
/// </summary>
public interface IPrivacyTally
{
    /// <summary>This tally's events followed by <paramref name="events"/>, in that order.</summary>
    IPrivacyTally With(IEnumerable<DpEvent> events);

    /// <summary>
    /// The composition of this tally's events and <paramref name="other"/>'s (a tally of the same accountant):
    /// composition is commutative, so a group of separately kept histories sums without re-reading them.
    /// </summary>
    IPrivacyTally Plus(IPrivacyTally other);

    /// <summary>The ε the accountant certifies for every event folded in so far; equal (to rounding) to its full recomputation.</summary>
    PrivacySpent Epsilon(double delta);
}
