using Veil.Ledger.Accountants;
using Veil.Ledger.Accountants.Tallies;
using Veil.Ledger.Events;
using Veil.Ledger.Tests.Budget;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

/// <summary>
/// Adding two tallies (a block's scopes) gives the ε of both histories recomputed together. Fixed seeds;
/// RDP to 1e-12 relative, PLD and the event list to 1e-9 (the same mechanisms counted in another order).
/// </summary>
public class TalliesAddLikeTheirHistoriesTests
{
    [Theory]
    [InlineData("rdp", 1)] [InlineData("rdp", 2)] [InlineData("rdp", 3)]
    [InlineData("pld", 1)] [InlineData("pld", 2)]
    [InlineData("list", 1)]
    public void The_sum_of_two_tallies_is_the_tally_of_both_histories(string kind, int seed)
    {
        var random = new RandomHistories(seed);
        IPrivacyAccountant accountant = kind == "pld" ? new PldAccountant() : new RdpAccountant();
        Func<IPrivacyTally> start = kind == "list" ? () => new EventListTally(accountant) : accountant.StartTally;
        var pldOnly = kind == "pld";
        var (a, b, c) = (random.NextHistory(60, pldOnly), random.NextHistory(60, pldOnly), random.NextHistory(10, pldOnly));
        var summed = start().With(a).Plus(start().With(b)).Plus(start().With(c));
        var expected = accountant.Epsilon(a.Concat(b).Concat(c).ToList(), 1e-5).Epsilon;
        var tolerance = kind == "rdp" ? 1e-12 : 1e-9;
        Assert.True(Math.Abs(summed.Epsilon(1e-5).Epsilon - expected) <= tolerance * Math.Max(1, expected),
            $"{kind} seed {seed}: summed ε {summed.Epsilon(1e-5).Epsilon:R}, recomputed {expected:R}");
    }

    [Fact]
    public void Tallies_of_different_accountants_do_not_add() =>
        Assert.Throws<ArgumentException>(() => new RdpAccountant().StartTally().Plus(new RdpAccountant().StartTally().With([new GaussianEvent(1)])));
}
