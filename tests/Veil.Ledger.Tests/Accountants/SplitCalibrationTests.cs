using Veil.Ledger.Accountants;
using Veil.Ledger.Accountants.Calibration;
using Veil.Ledger.Events;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

public class SplitCalibrationTests
{
    private static readonly IPrivacyAccountant Rdp = new RdpAccountant();

    public static TheoryData<string> Plans => new() { "least-squares", "newton", "fc-full-batch", "fc-poisson", "sgd-poisson" };

    private static IReadOnlyList<ReleaseShare> Plan(string name) => name switch
    {
        "least-squares" => [new ReleaseShare("covariance", 1, 1), new ReleaseShare("targets", 3, 1)],
        "newton" => [new ReleaseShare("gradient", 2, 4), new ReleaseShare("hessian", 1, 4)],
        "fc-full-batch" => [new ReleaseShare("covariance", 1, 1), new ReleaseShare("sgd", 4, 20)],
        "fc-poisson" => [new ReleaseShare("covariance", 1, 1), new ReleaseShare("sgd", 1, 300, 0.05)],
        "sgd-poisson" => [new ReleaseShare("sgd", 1, 1000, 4096.0 / 60000)],
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Plans))]
    public void Calibrated_noise_multipliers_compose_to_the_target_epsilon(string plan)
    {
        var shares = Plan(plan);
        foreach (var target in new[] { 1.0, 3.0, 8.0 })
        {
            var noise = SplitCalibration.Calibrate(Rdp, target, 1e-5, shares, relativeTolerance: 1e-7);
            // Computed again from the composed events, directly through the accountant: never above the target,
            // and not wastefully below it (the bisection's tolerance allows only a hair).
            var epsilon = Rdp.Epsilon([SplitCalibration.Planned(shares, noise.NoiseMultipliers)], 1e-5).Epsilon;
            Assert.Equal(noise.Epsilon, epsilon, 12);
            Assert.True(epsilon <= target, $"{plan}: ε = {epsilon} > target {target}");
            Assert.True(epsilon >= target * (1 - 1e-4), $"{plan}: ε = {epsilon} wastes budget below target {target}");
        }
    }

    [Fact]
    public void Weights_split_the_inverse_noise_power_so_Gaussian_releases_split_the_Renyi_loss_exactly()
    {
        IReadOnlyList<ReleaseShare> shares = [new ReleaseShare("a", 1, 1), new ReleaseShare("b", 3, 1), new ReleaseShare("c", 4, 5)];
        var sigmas = SplitCalibration.MultipliersAt(shares, 0.7);
        // Σ n_j / σ_j² = 1/s², and group j's part of it is f_j = w_j / Σw.
        double total = shares.Sum(s => s.Count / (sigmas[s.Name] * sigmas[s.Name]));
        Assert.Equal(1 / (0.7 * 0.7), total, 10);
        Assert.Equal(1.0 / 8, 1 / (sigmas["a"] * sigmas["a"]) / total, 12);
        Assert.Equal(3.0 / 8, 1 / (sigmas["b"] * sigmas["b"]) / total, 12);
        Assert.Equal(4.0 / 8, 5 / (sigmas["c"] * sigmas["c"]) / total, 12);
        // RDP of a Gaussian at order α is α/(2σ²): the shares of the composed RDP curve are the same fractions.
        var whole = Rdp.Epsilon([SplitCalibration.Planned(shares, sigmas)], 1e-5).Epsilon;
        var single = Rdp.Epsilon([new GaussianEvent(0.7)], 1e-5).Epsilon;
        Assert.Equal(single, whole, 9);
    }

    [Fact]
    public void One_release_of_a_group_is_Gaussian_unsampled_and_Poisson_sampled_below_rate_one()
    {
        Assert.Equal(new GaussianEvent(2), new ReleaseShare("covariance", 1, 1).OneRelease(2));
        Assert.Equal(new PoissonSampled(0.1, new GaussianEvent(2)), new ReleaseShare("sgd", 1, 7, 0.1).OneRelease(2));
        Assert.Equal(new SelfComposed(new PoissonSampled(0.1, new GaussianEvent(2)), 7), new ReleaseShare("sgd", 1, 7, 0.1).AllReleases(2));
    }

    [Fact]
    public void A_plan_naming_a_group_twice_or_with_a_bad_weight_is_refused()
    {
        Assert.Throws<ArgumentException>(() => SplitCalibration.Calibrate(Rdp, 3, 1e-5, [new ReleaseShare("x", 1, 1), new ReleaseShare("x", 1, 1)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReleaseShare("x", 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReleaseShare("x", 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReleaseShare("x", 1, 1, 1.5));
    }
}
