using Veil.Ledger.Accountants;
using Veil.Ledger.Events;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

/// <summary>Anything the accountant cannot interpret is refused, never skipped: skipping would under-count privacy.</summary>
public class PldRefusesInvalidInputTests
{
    private sealed record LaplaceLikeEvent(double Scale) : DpEvent;

    private static readonly DpEvent Step = new PoissonSampled(0.01, new GaussianEvent(1.0));

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-1e-5)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Delta_outside_the_open_unit_interval_is_refused(double delta)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PldAccountant().Epsilon([Step], delta));

        Assert.Equal("delta", error.ParamName);
    }

    public static TheoryData<DpEvent> UnsupportedHistories => new()
    {
        new LaplaceLikeEvent(1.0),
        new PoissonSampled(0.5, new LaplaceLikeEvent(1.0)),
        // A subsample of a subsample is not a shape this accountant has a rule for.
        new PoissonSampled(0.5, new PoissonSampled(0.5, new GaussianEvent(1.0))),
        new Composed([Step, new LaplaceLikeEvent(1.0)]),
        new SelfComposed(new LaplaceLikeEvent(1.0), 10),
        // Refused even when it has not run yet: the history is invalid either way.
        new SelfComposed(new LaplaceLikeEvent(1.0), 0),
    };

    [Theory]
    [MemberData(nameof(UnsupportedHistories))]
    public void Unsupported_events_are_refused_wherever_they_are_nested(DpEvent dpEvent)
    {
        Assert.Throws<UnsupportedEventException>(() => new PldAccountant().Epsilon([Step, dpEvent], 1e-5));
    }

    [Fact]
    public void Null_history_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => new PldAccountant().Epsilon(null!, 1e-5));
    }

    [Theory]
    [InlineData(0.0, 1e-15)]
    [InlineData(-1e-4, 1e-15)]
    [InlineData(double.NaN, 1e-15)]
    [InlineData(1e-4, 0.0)]
    [InlineData(1e-4, 1e-3)]
    public void Meaningless_discretisation_options_are_refused(double interval, double tailMass)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PldAccountant(interval, tailMass));
    }

    [Fact]
    public void Result_names_the_pld_accountant_and_has_no_rdp_order()
    {
        var spent = new PldAccountant().Epsilon([Step], 1e-5);

        Assert.Equal("pld", spent.Accountant);
        Assert.Equal(1e-5, spent.Delta);
        Assert.Null(spent.Order);
    }
}
