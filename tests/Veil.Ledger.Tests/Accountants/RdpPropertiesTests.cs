using FsCheck;
using FsCheck.Xunit;
using Veil.Ledger.Accountants;
using Veil.Ledger.Accountants.Rdp;
using Veil.Ledger.Events;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

public class RdpPropertiesTests
{
    private static readonly RdpAccountant Accountant = new();

    private static DpEvent Steps(double q, double sigma, long t) => new SelfComposed(new PoissonSampled(q, new GaussianEvent(sigma)), t);

    // Arbitrary ints mapped onto the ranges DP-SGD is used in: q ∈ (0, 0.5], σ ∈ [0.5, 5.5), T ∈ [1, 10⁵].
    private static double Rate(int x) => 0.001 + (Math.Abs(x % 500)) / 1000.0;
    private static double Sigma(int x) => 0.5 + Math.Abs(x % 1000) / 200.0;
    private static long StepCount(int x) => 1 + Math.Abs(x % 100_000);

    private static double Eps(double q, double sigma, long t) => Accountant.Epsilon([Steps(q, sigma, t)], 1e-5).Epsilon;

    [Property(MaxTest = 40)]
    public bool Epsilon_grows_with_steps(int q, int s, int t) =>
        Eps(Rate(q), Sigma(s), StepCount(t)) <= Eps(Rate(q), Sigma(s), StepCount(t) + 10);

    [Property(MaxTest = 40)]
    public bool Epsilon_grows_with_sampling_rate(int q, int s, int t) =>
        Eps(Rate(q), Sigma(s), StepCount(t)) <= Eps(Rate(q) + 0.01, Sigma(s), StepCount(t));

    [Property(MaxTest = 40)]
    public bool Epsilon_falls_with_noise(int q, int s, int t) =>
        Eps(Rate(q), Sigma(s) + 0.1, StepCount(t)) <= Eps(Rate(q), Sigma(s), StepCount(t));

    [Property(MaxTest = 40)]
    public bool Full_batch_equals_the_gaussian_closed_form(int s, int t)
    {
        var sigma = Sigma(s);
        var steps = StepCount(t) % 1000 + 1;
        var accountant = new RdpAccountant();
        var curve = accountant.Curve([Steps(1.0, sigma, steps)]);
        return accountant.Orders.Select((a, i) => Math.Abs(curve[i] - steps * a / (2 * sigma * sigma)) <= 1e-12 * curve[i]).All(ok => ok)
            && Math.Abs(Eps(1.0, sigma, steps) - accountant.Epsilon([new SelfComposed(new GaussianEvent(sigma), steps)], 1e-5).Epsilon) < 1e-12;
    }

    [Property(MaxTest = 30)]
    public bool Separate_step_events_compose_like_one_self_composed_event(int q, int s, int t)
    {
        var steps = StepCount(t) % 50 + 1;
        var one = new PoissonSampled(Rate(q), new GaussianEvent(Sigma(s)));
        var separate = Accountant.Epsilon(Enumerable.Repeat<DpEvent>(one, (int)steps), 1e-5).Epsilon;
        var together = Accountant.Epsilon([new SelfComposed(one, steps)], 1e-5).Epsilon;
        return Math.Abs(separate - together) <= 1e-12 * together;
    }

    [Fact]
    public void Heterogeneous_history_sums_rdp_per_order()
    {
        var a = Steps(0.01, 1.0, 1000);
        var b = Steps(0.05, 2.0, 300);
        var curveA = Accountant.Curve([a]);
        var curveB = Accountant.Curve([b]);
        var both = Accountant.Curve([a, b]);
        for (var i = 0; i < both.Length; i++)
            Assert.Equal(curveA[i] + curveB[i], both[i], 12);
        var eps = Accountant.Epsilon([a, b], 1e-5).Epsilon;
        Assert.True(eps > Accountant.Epsilon([a], 1e-5).Epsilon && eps > Accountant.Epsilon([b], 1e-5).Epsilon);
        Assert.Equal(eps, Accountant.Epsilon([new Composed([b, a])], 1e-5).Epsilon, 12);
    }

    [Fact]
    public void No_steps_spend_nothing() =>
        Assert.Equal(0, Accountant.Epsilon([Steps(0.01, 1.0, 0)], 1e-5).Epsilon);

    [Fact]
    public void The_reported_order_attains_the_minimum()
    {
        var history = new[] { Steps(0.01, 1.1, 5000) };
        var spent = Accountant.Epsilon(history, 1e-6);
        var single = new RdpAccountant([spent.Order!.Value]).Epsilon(history, 1e-6);
        Assert.Equal(spent.Epsilon, single.Epsilon, 12);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-1e-5)]
    [InlineData(double.NaN)]
    public void Delta_outside_the_open_unit_interval_is_refused(double delta) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Accountant.Epsilon([Steps(0.01, 1, 10)], delta));

    private sealed record LaplaceEvent(double Scale) : DpEvent;

    [Fact]
    public void An_event_without_a_rule_is_refused_not_ignored() =>
        Assert.Throws<UnsupportedEventException>(() => Accountant.Epsilon([Steps(0.01, 1, 10), new LaplaceEvent(1)], 1e-5));
}
