using FsCheck;
using FsCheck.Xunit;
using Veil.Ledger.Accountants;
using Veil.Ledger.Events;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

/// <summary>
/// More steps, more sampling, less noise: each can only spend more privacy. Properties run on a 1e-3 grid
/// to stay fast; parameters are kept on coarse lattices so each change is far larger than grid error.
/// </summary>
public class PldMonotonicityTests
{
    private const double Delta = 1e-5;
    private static readonly PldAccountant Coarse = new(valueDiscretisationInterval: 1e-3);

    // Tolerance for the composed truncation and FFT round-off between two otherwise ordered answers.
    private const double RoundOff = 1e-9;

    private static double Epsilon(double sigma, double q, long steps) =>
        Coarse.Epsilon([new SelfComposed(new PoissonSampled(q, new GaussianEvent(sigma)), steps)], Delta).Epsilon;

    private static double SigmaFrom(int index) => 0.7 + 0.1 * (Math.Abs(index) % 20); // 0.7 … 2.6

    private static double RateFrom(int index) => 0.01 * (1 + Math.Abs(index) % 50); // 0.01 … 0.50

    [Property(MaxTest = 12)]
    public bool Epsilon_grows_with_the_number_of_steps(int sigmaIndex, int rateIndex, PositiveInt steps, PositiveInt extra)
    {
        var (sigma, q) = (SigmaFrom(sigmaIndex), RateFrom(rateIndex));
        var fewer = 1 + steps.Get % 40;
        var more = fewer + 1 + extra.Get % 40;
        return Epsilon(sigma, q, fewer) <= Epsilon(sigma, q, more) + RoundOff;
    }

    [Property(MaxTest = 12)]
    public bool Epsilon_grows_with_the_sampling_rate(int sigmaIndex, int rateIndex, PositiveInt extra, PositiveInt steps)
    {
        var sigma = SigmaFrom(sigmaIndex);
        var lower = RateFrom(rateIndex);
        var higher = Math.Min(1.0, lower + 0.01 * (1 + extra.Get % 50));
        var t = 1 + steps.Get % 40;
        return Epsilon(sigma, lower, t) <= Epsilon(sigma, higher, t) + RoundOff;
    }

    [Property(MaxTest = 12)]
    public bool Epsilon_falls_as_noise_grows(int sigmaIndex, int rateIndex, PositiveInt extra, PositiveInt steps)
    {
        var q = RateFrom(rateIndex);
        var quieter = SigmaFrom(sigmaIndex);
        var noisier = quieter + 0.1 * (1 + extra.Get % 20);
        var t = 1 + steps.Get % 40;
        return Epsilon(noisier, q, t) <= Epsilon(quieter, q, t) + RoundOff;
    }

    [Fact]
    public void Zero_steps_spend_nothing()
    {
        var spent = new PldAccountant().Epsilon([new SelfComposed(new PoissonSampled(0.5, new GaussianEvent(0.5)), 0)], Delta);

        Assert.Equal(0.0, spent.Epsilon);
    }

    [Fact]
    public void An_empty_history_spends_nothing()
    {
        Assert.Equal(0.0, new PldAccountant().Epsilon([], Delta).Epsilon);
    }

    [Fact]
    public void Epsilon_is_never_negative_even_when_delta_alone_covers_the_mechanism()
    {
        // One step with σ = 100 at q = 0.01 has δ(0) far below 0.5, so the answer is ε = 0, not a negative number.
        var spent = new PldAccountant().Epsilon([new PoissonSampled(0.01, new GaussianEvent(100.0))], 0.5);

        Assert.Equal(0.0, spent.Epsilon);
    }

    [Fact]
    public void Epsilon_falls_as_delta_grows()
    {
        DpEvent[] history = [new SelfComposed(new PoissonSampled(0.01, new GaussianEvent(1.0)), 500)];
        var accountant = new PldAccountant();

        var strict = accountant.Epsilon(history, 1e-8).Epsilon;
        var loose = accountant.Epsilon(history, 1e-3).Epsilon;

        Assert.True(strict > loose, $"ε(1e-8) = {strict} vs ε(1e-3) = {loose}");
    }
}
