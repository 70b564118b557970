namespace Veil.Ledger.Auditing;

/// <summary>
/// The auditor's guesses from one score per canary (lower = more likely a member, e.g. the trained model's
/// loss on it): the <c>guessIn</c> lowest scores are guessed IN, the <c>guessOut</c> highest OUT, the rest
/// abstained. Both counts are fixed in advance, so r = guessIn + guessOut does not depend on the outcome,
/// as the test requires. Equal scores are ranked by canary index, which is independent of membership.
/// </summary>
public static class MembershipGuesses
{
    public static MembershipGuessResult Score(IReadOnlyList<double> scores, IReadOnlyList<bool> included, int guessIn, int guessOut)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(included);
        if (scores.Count != included.Count)
            throw new ArgumentException($"{scores.Count} scores for {included.Count} canaries: one score per canary is needed");
        if (scores.Count == 0) throw new ArgumentException("no canaries to score");
        if (guessIn < 0 || guessOut < 0 || guessIn + guessOut > scores.Count)
            throw new ArgumentOutOfRangeException(
                nameof(guessIn), $"guesses in ({guessIn}) and out ({guessOut}) must be ≥ 0 and together at most the {scores.Count} canaries");
        for (var i = 0; i < scores.Count; i++)
            if (double.IsNaN(scores[i]))
                throw new ArgumentException($"the score of canary {i} is NaN: the model cannot be audited (did training diverge?)");

        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ThenBy(i => i).ToArray();
        var rightIn = order.Take(guessIn).Count(i => included[i]);
        var rightOut = order.Skip(scores.Count - guessOut).Count(i => !included[i]);
        return new MembershipGuessResult(scores.Count, guessIn, rightIn, guessOut, rightOut, included.Count(x => x));
    }
}
