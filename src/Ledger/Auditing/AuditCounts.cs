namespace Veil.Ledger.Auditing;

/// <summary>
/// What a one-run audit observed: <see cref="Canaries"/> examples (m) each included independently with
/// probability 1/2, <see cref="Guesses"/> membership guesses made (r; the auditor abstained on the rest),
/// <see cref="Correct"/> of them right (v). r must be fixed before the guesses are scored (the test is
/// only valid for an r chosen without looking at which canaries were included).
/// </summary>
public sealed record AuditCounts
{
    public AuditCounts(int canaries, int guesses, int correct)
    {
        if (canaries < 1) throw new ArgumentOutOfRangeException(nameof(canaries), canaries, $"an audit needs at least one canary (m = {canaries})");
        if (guesses < 0 || guesses > canaries)
            throw new ArgumentOutOfRangeException(
                nameof(guesses), guesses, $"guesses r = {guesses} must lie in [0, m = {canaries}]: at most one guess per canary");
        if (correct < 0 || correct > guesses)
            throw new ArgumentOutOfRangeException(nameof(correct), correct, $"correct guesses v = {correct} must lie in [0, r = {guesses}]");
        Canaries = canaries;
        Guesses = guesses;
        Correct = correct;
    }

    /// <summary>m: canaries whose inclusion was a fair coin.</summary>
    public int Canaries { get; }

    /// <summary>r: guesses made (not abstained).</summary>
    public int Guesses { get; }

    /// <summary>v: guesses that were right.</summary>
    public int Correct { get; }
}
