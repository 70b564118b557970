using Veil.Ledger.Accountants;
using Veil.Ledger.Accountants.Rdp;
using Veil.Ledger.Events;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

/// <summary>
/// Cases asserted by TF Privacy's and dp_accounting's own test suites (TF Privacy rdp_accountant_test.py
/// before 4cb0a11, compute_dp_sgd_privacy_test.py; dp_accounting rdp_privacy_accountant_test.py), with
/// their inputs and orders; exact values from 60-digit mpmath evaluations of the same series.
/// </summary>
public class RdpUpstreamTestCasesTests
{
    private static readonly double[] TfPrivacyOrders = RdpOrders.Classic.ToArray();

    [Theory]
    // TF Privacy compute_dp_sgd_privacy(n, batch, σ, epochs, δ): q = batch/n, T = ⌈epochs·n/batch⌉.
    [InlineData(60000, 150, 1.3, 15, 1e-5, 0.7242234026109595, 19.0)]
    [InlineData(100000, 100, 1.0, 30, 1e-7, 1.4154988495444842, 13.0)]
    [InlineData(100000000, 1024, 0.1, 10, 1e-7, 5907982.3113984, 1.25)]
    public void Compute_dp_sgd_privacy_cases(long n, long batch, double sigma, double epochs, double delta, double epsilon, double order)
    {
        var schedule = Veil.Ledger.Accountants.Calibration.SamplingSchedule.FromEpochs(n, batch, epochs);
        var spent = new RdpAccountant(TfPrivacyOrders).Epsilon([schedule.Event(sigma)], delta);
        RdpPublishedValuesTests.AssertRelative(epsilon, spent.Epsilon, 1e-7);
        Assert.Equal(order, spent.Order!.Value, 9);
    }

    [Fact]
    public void Rdp_sequence_matches_the_exact_series()
    {
        // q=0.01, σ=2.5, T=50 at orders 1.5, 2.5, 5, 50, 100 (TF Privacy test_compute_rdp_sequence, exact values).
        double[] orders = [1.5, 2.5, 5, 50, 100];
        double[] exact = [6.5007089718803974e-4, 1.0854180569181243e-3, 2.1807565623078808e-3, 2.3846037538706169e-2, 167.41630754841826];
        var curve = new RdpAccountant(orders).Curve([new SelfComposed(new PoissonSampled(0.01, new GaussianEvent(2.5)), 50)]);
        for (var i = 0; i < orders.Length; i++)
            RdpPublishedValuesTests.AssertRelative(exact[i], curve[i], 1e-9);
    }

    [Theory]
    // log A_α = (α−1)·RDP(α) for one step (dp_accounting test_compute_log_a_equals_mp inputs; exact = mpmath series).
    [InlineData(1e-6, 0.1, 256, 3260463.2292971608, 1e-12)]
    [InlineData(1e-5, 0.1, 256.1, 3263607.0397884213, 1e-12)]
    [InlineData(1e-6, 1, 27, 8.7695113048484979e-10, 1e-8)]
    [InlineData(1e-4, 1.0, 1.5, 6.4426869538366497e-9, 1e-8)]
    [InlineData(1e-3, 1.0, 2, 1.7182803522145154e-6, 1e-9)]
    [InlineData(0.01, 10, 20, 0.00019129699912842963, 1e-9)]
    [InlineData(0.1, 100, 20.5, 0.00019991818458068296, 1e-9)]
    [InlineData(0.99, 0.1, 256, 3263997.4271140211, 1e-12)]
    [InlineData(0.999, 100, 256.1, 3.2601080379731127, 1e-9)]
    // Tiny A−1 at α → 1: float64 keeps ~6 digits of it; the error is upward (conservative).
    [InlineData(1e-7, 0.1, 1.01, 4.0034123225263984e-8, 1e-6)]
    public void Log_moment_matches_high_precision(double q, double sigma, double alpha, double exactLogA, double tolerance)
    {
        var logA = SubsampledGaussianRdp.At(q, sigma, alpha) * (alpha - 1);
        RdpPublishedValuesTests.AssertRelative(exactLogA, logA, tolerance);
    }

    [Fact]
    public void Fractional_orders_survive_catastrophic_cancellation_conservatively()
    {
        // q=0.4, σ=12, α ∈ [58.5, 59.5]: the signed series cancels to noise in float64 (dp_accounting
        // test_log_a_frac_positive). RDP must stay positive, finite, and never below the order below it.
        var previous = SubsampledGaussianRdp.At(0.4, 12, 58);
        for (var i = 0; i <= 20; i++)
        {
            var alpha = 58.5 + i * 0.05;
            var rdp = SubsampledGaussianRdp.At(0.4, 12, alpha);
            Assert.True(double.IsFinite(rdp) && rdp > 0, $"α={alpha}: RDP {rdp}");
            Assert.True(rdp >= previous * (1 - 1e-9), $"α={alpha}: RDP {rdp} fell below {previous}");
            Assert.True(rdp <= SubsampledGaussianRdp.At(0.4, 12, 60), $"α={alpha}: RDP {rdp} above the order-60 bound");
            previous = rdp;
        }
    }

    [Fact]
    public void Heterogeneous_composition_check_from_tf_privacy()
    {
        // test_check_composition: RDP(q=1e-4, σ=0.4, T=40000) + RDP(q=0.1, σ=2, T=100) at δ=1e-5; classic ε 8.509656 at α=2.5.
        double[] orders = [1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 64, 256];
        DpEvent[] history =
        [
            new SelfComposed(new PoissonSampled(1e-4, new GaussianEvent(0.4)), 40000),
            new SelfComposed(new PoissonSampled(0.1, new GaussianEvent(2)), 100),
        ];
        var classic = new RdpAccountant(orders, RdpConversion.Classic).Epsilon(history, 1e-5);
        RdpPublishedValuesTests.AssertRelative(8.509656046284402, classic.Epsilon, 1e-7);
        Assert.Equal(2.5, classic.Order);
        RdpPublishedValuesTests.AssertRelative(7.387969934602307, new RdpAccountant(orders).Epsilon(history, 1e-5).Epsilon, 1e-7);
    }

    [Fact]
    public void Opacus_noise_search_case_is_met_by_calibration()
    {
        // Opacus test_get_noise_multiplier_rdp_epochs: ε=8, δ=1e-5, q=0.04, 90 epochs → σ≈1.416 (its coarse
        // bisection stops within 0.01 of ε). Veil's calibration is tighter, so it must find σ ≤ 1.416015625.
        var calibrated = Veil.Ledger.Accountants.Calibration.NoiseCalibration.Calibrate(
            new RdpAccountant(), 8, new Veil.Ledger.Accountants.Calibration.SamplingSchedule(0.04, 2250), 1e-5);
        Assert.InRange(calibrated.NoiseMultiplier, 1.40, 1.416015625);
        Assert.True(calibrated.Epsilon <= 8);
    }
}
