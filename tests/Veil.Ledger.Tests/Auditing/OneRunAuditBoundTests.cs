using Veil.Ledger.Auditing;
using Xunit;

namespace Veil.Ledger.Tests.Auditing;

public class OneRunAuditBoundTests
{
    [Theory]
    [InlineData(1000, 1000, 500)]
    [InlineData(1000, 200, 100)]
    [InlineData(10, 10, 5)]
    [InlineData(1000, 200, 40)] // worse than chance
    public void Half_right_or_worse_gives_a_bound_of_zero(int m, int r, int v)
    {
        var bound = OneRunAudit.LowerBound(new AuditCounts(m, r, v), 1e-5, 0.05);
        Assert.Equal(0, bound.Epsilon);
        Assert.True(bound.PValue > 0.05);
    }

    [Fact]
    public void No_guesses_gives_a_bound_of_zero() =>
        Assert.Equal(0, OneRunAudit.LowerBound(new AuditCounts(100, 0, 0), 0, 0.05).Epsilon);

    [Theory]
    [InlineData(100)]
    [InlineData(20)]
    [InlineData(1000)]
    public void All_right_with_delta_zero_matches_the_closed_form(int r)
    {
        // P[Binomial(r, p) ≥ r] = p^r = β  ⇔  p = β^{1/r}, ε = log(p / (1 − p)).
        var p = Math.Pow(0.05, 1.0 / r);
        var closed = Math.Log(p / (1 - p));
        var bound = OneRunAudit.LowerBound(new AuditCounts(r, r, r), 0, 0.05).Epsilon;
        Assert.True(bound <= closed, $"{bound} above the closed form {closed}");
        Assert.True(bound >= closed - 1e-4, $"{bound} vs the closed form {closed}");
    }

    [Fact]
    public void More_right_guesses_never_lower_the_bound_and_more_delta_never_raises_it()
    {
        double previous = 0;
        for (var v = 100; v <= 200; v += 5)
        {
            var bound = OneRunAudit.LowerBound(new AuditCounts(1000, 200, v), 1e-5, 0.05).Epsilon;
            Assert.True(bound >= previous, $"v = {v}: {bound} < {previous}");
            previous = bound;
            var moreDelta = OneRunAudit.LowerBound(new AuditCounts(1000, 200, v), 1e-3, 0.05).Epsilon;
            Assert.True(moreDelta <= bound, $"v = {v}: δ = 1e-3 gave {moreDelta} > {bound}");
        }
        Assert.True(previous > 3, $"200 of 200 right should show ε > 3, got {previous}");
    }

    [Fact]
    public void More_correct_than_guesses_is_refused_naming_v_and_r()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AuditCounts(100, 10, 11));
        Assert.Contains("v = 11", e.Message);
        Assert.Contains("r = 10", e.Message);
    }

    [Fact]
    public void More_guesses_than_canaries_is_refused_naming_r_and_m()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AuditCounts(100, 101, 50));
        Assert.Contains("r = 101", e.Message);
        Assert.Contains("m = 100", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuditCounts(0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuditCounts(10, 5, -1));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Beta_outside_zero_one_is_refused_naming_beta(double beta)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => OneRunAudit.LowerBound(new AuditCounts(100, 10, 10), 0, beta));
        Assert.Contains("beta", e.Message);
        Assert.Contains("(0, 1)", e.Message);
    }

    [Theory]
    [InlineData(-1e-9)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Delta_outside_zero_one_is_refused_naming_delta(double delta)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => OneRunAudit.LowerBound(new AuditCounts(100, 10, 10), delta, 0.05));
        Assert.Contains("delta", e.Message);
    }

    [Fact]
    public void A_negative_or_infinite_epsilon_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OneRunAudit.PValue(new AuditCounts(100, 10, 10), -1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => OneRunAudit.PValue(new AuditCounts(100, 10, 10), double.PositiveInfinity, 0));
    }
}
