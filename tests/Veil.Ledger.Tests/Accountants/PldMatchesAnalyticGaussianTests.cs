using Veil.Ledger.Accountants;
using Veil.Ledger.Accountants.Pld;
using Veil.Ledger.Events;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

/// <summary>
/// Without subsampling the privacy loss of T Gaussian steps with noise σ is exactly that of one step with
/// noise σ/√T, whose ε(δ) has a closed form. The PLD must never be below it (pessimism) and must be close.
/// </summary>
public class PldMatchesAnalyticGaussianTests
{
    private const double Delta = 1e-5;
    private const double Interval = 1e-4;
    private const double TailMass = 1e-15;

    public static TheoryData<double, long> Cases => new()
    {
        { 1.0, 1 },
        { 0.8, 4 },
        { 2.0, 16 },
        { 5.0, 100 },
        { 10.0, 1000 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Accountant_epsilon_of_T_gaussian_steps_is_at_least_and_within_half_a_percent_of_the_exact_value(double sigma, long steps)
    {
        var exact = AnalyticGaussianMechanism.Epsilon(Math.Sqrt(steps) / sigma, Delta);

        var pld = new PldAccountant().Epsilon([new SelfComposed(new GaussianEvent(sigma), steps)], Delta).Epsilon;

        Assert.True(pld >= exact, $"PLD ε {pld} is below the exact {exact}: not pessimistic");
        Assert.True(pld <= exact * 1.005, $"PLD ε {pld} is more than 0.5% above the exact {exact}");
    }

    // The accountant merges Gaussian steps analytically, so this drives the FFT self-composition itself
    // (on a coarser grid where long compositions would otherwise dominate the suite's run time).
    [Theory]
    [InlineData(1.0, 1L, 1e-4)]
    [InlineData(2.0, 16L, 1e-4)]
    [InlineData(0.8, 4L, 1e-3)]
    [InlineData(5.0, 100L, 1e-3)]
    [InlineData(20.0, 1000L, 1e-3)]
    public void Self_composed_gaussian_pld_is_at_least_and_within_half_a_percent_of_the_exact_value(double sigma, long steps, double interval)
    {
        var exact = AnalyticGaussianMechanism.Epsilon(Math.Sqrt(steps) / sigma, Delta);

        var pld = AddOrRemovePld.ForSubsampledGaussian(sigma, 1.0, interval, TailMass)
            .SelfCompose(steps, TailMass)
            .EpsilonForDelta(Delta);

        Assert.True(pld >= exact, $"PLD ε {pld} is below the exact {exact}: not pessimistic");
        Assert.True(pld <= exact * 1.005, $"PLD ε {pld} is more than 0.5% above the exact {exact}");
    }

    [Fact]
    public void Composing_two_different_gaussian_plds_matches_the_gaussian_with_added_precisions()
    {
        // 1/σ² adds under composition: σ = 1.5 then σ = 2 is the single Gaussian with μ² = 1/1.5² + 1/2².
        var exact = AnalyticGaussianMechanism.Epsilon(Math.Sqrt(1 / 2.25 + 1 / 4.0), Delta);

        var pld = AddOrRemovePld.ForSubsampledGaussian(1.5, 1.0, Interval, TailMass)
            .Compose(AddOrRemovePld.ForSubsampledGaussian(2.0, 1.0, Interval, TailMass), TailMass)
            .EpsilonForDelta(Delta);

        Assert.True(pld >= exact, $"PLD ε {pld} is below the exact {exact}");
        Assert.True(pld <= exact * 1.005, $"PLD ε {pld} is more than 0.5% above the exact {exact}");
    }

    [Fact]
    public void Round_up_discretisation_is_pessimistic_but_pays_about_half_a_grid_step_per_composition()
    {
        const double sigma = 5.0;
        const long steps = 100;
        const double interval = 1e-3;
        var exact = AnalyticGaussianMechanism.Epsilon(Math.Sqrt(steps) / sigma, Delta);

        var roundUp = AddOrRemovePld.ForSubsampledGaussian(sigma, 1.0, interval, TailMass, PldDiscretisation.RoundUp)
            .SelfCompose(steps, TailMass)
            .EpsilonForDelta(Delta);

        Assert.True(roundUp >= exact);
        // Each step's loss is raised by Δ/2 on average, so the composed curve shifts by about T·Δ/2.
        Assert.InRange(roundUp - exact, 0.25 * steps * interval, steps * interval);
    }
}
