using Veil.Ledger.Accountants;
using Veil.Ledger.Accountants.Rdp;
using Veil.Ledger.Events;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

/// <summary>
/// Against Google's dp_accounting 0.6.0 (google/differential-privacy b5b0286), run here at its default
/// orders, and against 60-digit mpmath evaluations of the defining series. dp_accounting since May 2024
/// sums |C(α,i)| in the fractional-order series, an upper bound ~0.2–10% above the exact value at
/// α &lt; 3; Veil implements the exact signed series (TF Privacy, Opacus, objax and pre-2024
/// dp_accounting), so the figures below are dp_accounting with that routine restored ("signed").
/// Integer orders are identical in both.
/// </summary>
public class RdpReferenceImplementationTests
{
    private static DpEvent Steps(double q, double sigma, long t) => new SelfComposed(new PoissonSampled(q, new GaussianEvent(sigma)), t);

    private const double Relative = 1e-6;

    [Theory]
    // q, σ, T, δ, ε (Balle 2020), α*, ε (classic), α*
    [InlineData(0.04, 1.5, 2250, 1e-5, 7.3291111714386545, 3.9, 8.073848277153212, 4.1)]
    [InlineData(256.0 / 60000, 1.1, 14062, 1e-5, 2.596555868960748, 8.1, 3.008272082524604, 8.8)]
    [InlineData(256.0 / 60000, 1.1, 14063, 1e-5, 2.596655528688368, 8.1, 3.0083810468253627, 8.8)]
    [InlineData(0.01, 1.0, 1000, 1e-5, 2.1013652716430564, 7.8, 2.537982880184644, 7.9)]
    [InlineData(1.0, 5.0, 10, 1e-6, 3.131089774915035, 8.6, 3.5245193443330454, 9.3)]
    [InlineData(0.001, 0.8, 100000, 1e-6, 3.1878044589946253, 7.4, 3.6406179030982573, 7.6)]
    [InlineData(0.5, 2.0, 50, 1e-5, 10.277893380848077, 3.1, 11.182544735996323, 3.2)]
    public void Matches_dp_accounting_at_its_default_orders(double q, double sigma, long t, double delta,
        double epsilon, double order, double classicEpsilon, double classicOrder)
    {
        var balle = new RdpAccountant(RdpOrders.DpAccounting).Epsilon([Steps(q, sigma, t)], delta);
        RdpPublishedValuesTests.AssertRelative(epsilon, balle.Epsilon, Relative);
        Assert.Equal(order, balle.Order!.Value, 9);
        var classic = new RdpAccountant(RdpOrders.DpAccounting, RdpConversion.Classic).Epsilon([Steps(q, sigma, t)], delta);
        RdpPublishedValuesTests.AssertRelative(classicEpsilon, classic.Epsilon, Relative);
        Assert.Equal(classicOrder, classic.Order!.Value, 9);
    }

    [Theory]
    [InlineData(0.04, 1.5, 1.5, 0.0006631116939117244483832505)]
    [InlineData(0.04, 1.5, 2, 0.0008949969668737387526526418)]
    [InlineData(0.04, 1.5, 2.5, 0.001132803466470159391366522)]
    [InlineData(0.04, 1.5, 3, 0.00137687239217036755430507)]
    [InlineData(0.04, 1.5, 10, 0.005786875742677364054031864)]
    [InlineData(0.04, 1.5, 32, 3.78842631431153161370469)]
    [InlineData(0.04, 1.5, 64, 10.95225313030947944825553)]
    [InlineData(0.04, 1.5, 256, 53.65739002157022462823588)]
    [InlineData(0.01, 0.8, 1.5, 0.0002733107000403821835670331)]
    [InlineData(0.01, 0.8, 2, 0.0003770022439193600183355798)]
    [InlineData(0.01, 0.8, 2.5, 0.0004894537156697903052065974)]
    [InlineData(0.01, 0.8, 3, 0.0006133681964598185648770045)]
    [InlineData(0.01, 0.8, 10, 2.695730274196047262646058)]
    [InlineData(0.01, 0.8, 32, 20.246275937044548091923)]
    [InlineData(0.01, 0.8, 64, 45.32173187455177466758273)]
    [InlineData(0.01, 0.8, 256, 195.3767703230864429528409)]
    public void One_step_rdp_equals_the_high_precision_series(double q, double sigma, double alpha, double exact)
    {
        var rdp = SubsampledGaussianRdp.At(q, sigma, alpha);
        Assert.True(Math.Abs(rdp - exact) <= 1e-9 * exact, $"α={alpha}: {rdp:R} vs exact {exact:R}");
    }

    // dp-imagenet (Kurakin et al. 2022) README recipe for ResNet-18 at ε ≈ 10: 8 GPUs × 128 × 64 accumulation
    // = 65536 per step over N = 1,281,167; dp_sigma 0.058014 × √512 per-example; 70 epochs = 1368 DP steps; δ = 1e-6.
    private static readonly DpEvent DpImageNet = Steps(65536.0 / 1281167, 0.058014 * Math.Sqrt(512), 1368);

    [Fact]
    public void Reproduces_the_dp_imagenet_epsilon_10_run()
    {
        var spent = new RdpAccountant(RdpOrders.DpAccounting).Epsilon([DpImageNet], 1e-6);
        RdpPublishedValuesTests.AssertRelative(9.969682559897725, spent.Epsilon, Relative);
        Assert.Equal(3.6, spent.Order!.Value, 9);
        Assert.InRange(new RdpAccountant().Epsilon([DpImageNet], 1e-6).Epsilon, 9.9696 - 0.01, 9.9696 + 0.01);
    }

    [Fact]
    public void Reproduces_dp_imagenet_with_its_own_accountant_orders()
    {
        // objax.privacy analyze_dp, which dp-imagenet calls: 1.25 … 4.5, then 5 … 20.
        double[] objaxOrders = [1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, .. Enumerable.Range(5, 16).Select(i => (double)i)];
        var spent = new RdpAccountant(objaxOrders).Epsilon([DpImageNet], 1e-6);
        RdpPublishedValuesTests.AssertRelative(9.982777869481271, spent.Epsilon, Relative);
        Assert.Equal(3.5, spent.Order!.Value, 9);
    }
}
