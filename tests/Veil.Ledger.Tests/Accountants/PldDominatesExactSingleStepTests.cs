using Veil.Ledger.Accountants.Pld;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

/// <summary>
/// One discretised subsampled-Gaussian step, each direction, against the exact hockey-stick divergence:
/// the discrete δ(ε) must never be below the truth (it is what makes every later ε an upper bound), and
/// connect-the-dots must be nearly exact.
/// </summary>
public class PldDominatesExactSingleStepTests
{
    private const double Interval = 1e-4;
    private const double TailMass = 1e-15;

    private static readonly double[] Epsilons = [0.0, 0.0123456, 0.1, 0.31415926, 1.0, 2.5];

    public static TheoryData<double, double> Mechanisms => new()
    {
        { 1.1, 256.0 / 60000 },
        { 1.5, 0.04 },
        { 0.8, 0.5 },
        { 2.0, 1.0 },
        { 0.6, 0.01 },
    };

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public void Connect_the_dots_delta_is_an_upper_bound_and_close_in_both_directions(double sigma, double q)
    {
        var pld = AddOrRemovePld.ForSubsampledGaussian(sigma, q, Interval, TailMass);
        foreach (var epsilon in Epsilons)
        {
            AssertDominatesAndClose(pld.Remove.DeltaForEpsilon(epsilon), AnalyticGaussianMechanism.SubsampledRemoveDelta(sigma, q, epsilon), epsilon);
            AssertDominatesAndClose(pld.Add.DeltaForEpsilon(epsilon), AnalyticGaussianMechanism.SubsampledAddDelta(sigma, q, epsilon), epsilon);
        }
    }

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public void Round_up_delta_is_an_upper_bound_in_both_directions(double sigma, double q)
    {
        var pld = AddOrRemovePld.ForSubsampledGaussian(sigma, q, Interval, TailMass, PldDiscretisation.RoundUp);
        foreach (var epsilon in Epsilons)
        {
            Assert.True(pld.Remove.DeltaForEpsilon(epsilon) >= AnalyticGaussianMechanism.SubsampledRemoveDelta(sigma, q, epsilon) - 1e-15, $"remove, ε = {epsilon}");
            Assert.True(pld.Add.DeltaForEpsilon(epsilon) >= AnalyticGaussianMechanism.SubsampledAddDelta(sigma, q, epsilon) - 1e-15, $"add, ε = {epsilon}");
        }
    }

    private static void AssertDominatesAndClose(double discrete, double exact, double epsilon)
    {
        // 1e-15 absolute: the exact formula itself subtracts two tail probabilities.
        Assert.True(discrete >= exact - 1e-15, $"ε = {epsilon}: discrete δ {discrete:R} is below the exact {exact:R}");
        Assert.True(discrete <= exact * (1 + 1e-4) + 1e-14, $"ε = {epsilon}: discrete δ {discrete:R} is far above the exact {exact:R}");
    }
}
