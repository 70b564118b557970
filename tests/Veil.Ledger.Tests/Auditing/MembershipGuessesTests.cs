using Veil.Ledger.Auditing;
using Xunit;

namespace Veil.Ledger.Tests.Auditing;

public class MembershipGuessesTests
{
    [Fact]
    public void The_lowest_scores_are_guessed_in_and_the_highest_out()
    {
        //            canary:  0     1     2     3     4     5
        double[] scores =   [0.1,  0.5,  0.2,  0.9,  0.3,  0.8];
        bool[] included =   [true, false, false, false, true, true];
        var result = MembershipGuesses.Score(scores, included, guessIn: 2, guessOut: 2);
        // IN: canaries 0 (in: right) and 2 (out: wrong). OUT: canaries 3 (out: right) and 5 (in: wrong).
        Assert.Equal(new MembershipGuessResult(6, 2, 1, 2, 1, 3), result);
        Assert.Equal(new AuditCounts(6, 4, 2), result.Counts);
    }

    [Fact]
    public void Equal_scores_are_ranked_by_canary_index()
    {
        var result = MembershipGuesses.Score([1.0, 1.0, 1.0, 1.0], [false, true, true, false], guessIn: 1, guessOut: 1);
        Assert.Equal(0, result.RightIn);   // canary 0 is guessed in: it was out
        Assert.Equal(1, result.RightOut);  // canary 3 is guessed out: it was out
    }

    [Fact]
    public void Abstaining_on_everything_makes_no_guess() =>
        Assert.Equal(new AuditCounts(3, 0, 0), MembershipGuesses.Score([1, 2, 3], [true, false, true], 0, 0).Counts);

    [Fact]
    public void Bad_inputs_are_refused_with_a_reason()
    {
        Assert.Contains("one score per canary", Assert.Throws<ArgumentException>(() => MembershipGuesses.Score([1, 2], [true], 1, 0)).Message);
        Assert.Contains("at most the 2 canaries", Assert.Throws<ArgumentOutOfRangeException>(() => MembershipGuesses.Score([1, 2], [true, false], 2, 1)).Message);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => MembershipGuesses.Score([1, double.NaN], [true, false], 1, 0)).Message);
    }
}
