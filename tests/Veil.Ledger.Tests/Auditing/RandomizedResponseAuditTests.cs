using Veil.Ledger.Auditing;
using Xunit;

namespace Veil.Ledger.Tests.Auditing;

/// <summary>
/// The audit against a mechanism whose privacy is known exactly: ε-DP randomised response, where each guess
/// is right with probability e^ε/(1+e^ε) independently (the worst case the bound assumes). The bound must
/// exceed the true ε in at most a β share of runs, and come close to it when r is large.
/// </summary>
public class RandomizedResponseAuditTests
{
    private const double Beta = 0.05;

    private static AuditCounts RandomizedResponse(Random random, double epsilon, int canaries, int guesses)
    {
        var right = Math.Exp(epsilon) / (1 + Math.Exp(epsilon));
        var correct = 0;
        for (var i = 0; i < guesses; i++)
            if (random.NextDouble() < right) correct++;
        return new AuditCounts(canaries, guesses, correct);
    }

    // Seed 20261123, 200 trials. Each trial exceeds ε with probability at most β = 0.05, so a correct bound
    // gives more than 22 exceedances with probability P[Binomial(200, 0.05) > 22] = 1.9e-4: the false-failure
    // rate of this test for a random seed (with this fixed seed it is deterministic).
    [Theory]
    [InlineData(0.5, 0.0)]
    [InlineData(1.0, 0.0)]
    [InlineData(2.0, 0.0)]
    [InlineData(1.0, 1e-5)]
    public void The_bound_exceeds_the_true_epsilon_in_at_most_a_beta_share_of_runs(double epsilon, double delta)
    {
        var random = new Random(20261123);
        var exceeded = 0;
        for (var trial = 0; trial < 200; trial++)
        {
            var bound = OneRunAudit.LowerBound(RandomizedResponse(random, epsilon, 1000, 1000), delta, Beta);
            if (bound.Epsilon > epsilon) exceeded++;
        }
        Assert.True(exceeded <= 22, $"the bound exceeded ε = {epsilon} in {exceeded} of 200 runs (β = {Beta}: expected about 10 at most)");
    }

    // Seed 7. With m = r = 10 000 at ε = 2, v is about 8 808 ± 32; the bound then lands near 1.9. It falls
    // below 0.5·ε = 1 only if v < 7 311, 47 standard deviations low: false-failure rate far below 1e-100.
    [Fact]
    public void With_ten_thousand_guesses_the_bound_comes_close_to_the_true_epsilon()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 5; trial++)
        {
            var bound = OneRunAudit.LowerBound(RandomizedResponse(random, 2.0, 10_000, 10_000), 0, Beta);
            Assert.InRange(bound.Epsilon, 1.0, 2.0 + 0.2); // the upper side can fail only at the β rate; 0.2 is ~6 σ of slack
            var withDelta = OneRunAudit.LowerBound(bound.Counts, 1e-5, Beta);
            Assert.True(withDelta.Epsilon <= bound.Epsilon, $"δ = 1e-5 gave a larger bound {withDelta.Epsilon} than δ = 0 {bound.Epsilon}");
            Assert.True(withDelta.Epsilon >= 1.0, $"δ = 1e-5, m = 10 000: bound {withDelta.Epsilon}");
        }
    }

    // Seed 11. Auditing with abstentions: r = 100 confident guesses out of m = 1000. Randomised response on the
    // guesses made is still the worst case, so the same β-rate guarantee holds (threshold as above).
    [Fact]
    public void Abstaining_on_most_canaries_keeps_the_guarantee()
    {
        var random = new Random(11);
        var exceeded = 0;
        for (var trial = 0; trial < 200; trial++)
            if (OneRunAudit.LowerBound(RandomizedResponse(random, 3.0, 1000, 100), 1e-5, Beta).Epsilon > 3.0) exceeded++;
        Assert.True(exceeded <= 22, $"{exceeded} of 200");
    }
}
