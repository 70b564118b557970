using Veil.Ledger.Accountants;
using Veil.Ledger.Events;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

/// <summary>
/// RDP's ε is an upper bound derived from moments of the same privacy loss the PLD accountant
/// discretises pessimistically, so PLD must never report more than RDP for the same history.
/// </summary>
public class PldIsTighterThanRdpTests
{
    private static readonly PldAccountant Pld = new(valueDiscretisationInterval: 1e-3);
    private static readonly RdpAccountant Rdp = new();

    public static TheoryData<double, double, long, double> Histories => new()
    {
        { 0.04, 1.5, 2250, 1e-5 },
        { 256.0 / 60000, 1.1, 14062, 1e-5 },
        { 0.01, 1.0, 1000, 1e-5 },
        { 0.5, 2.0, 50, 1e-5 },
        { 0.001, 0.8, 1000, 1e-6 },
        { 1.0, 5.0, 10, 1e-6 },
        { 0.2, 3.0, 100, 1e-6 },
    };

    [Theory]
    [MemberData(nameof(Histories))]
    public void Pld_epsilon_is_at_most_rdp_epsilon(double q, double sigma, long steps, double delta)
    {
        DpEvent step = q == 1.0 ? new GaussianEvent(sigma) : new PoissonSampled(q, new GaussianEvent(sigma));
        DpEvent[] history = [new SelfComposed(step, steps)];

        var pld = Pld.Epsilon(history, delta).Epsilon;
        var rdp = Rdp.Epsilon(history, delta).Epsilon;

        Assert.True(pld <= rdp, $"PLD ε {pld} exceeds RDP ε {rdp}");
    }

    [Fact]
    public void Pld_epsilon_is_at_most_rdp_epsilon_for_a_heterogeneous_history()
    {
        DpEvent[] history =
        [
            new SelfComposed(new PoissonSampled(0.01, new GaussianEvent(1.0)), 1000),
            new SelfComposed(new PoissonSampled(0.05, new GaussianEvent(2.0)), 300),
            new SelfComposed(new GaussianEvent(20.0), 5),
        ];

        var pld = Pld.Epsilon(history, 1e-5).Epsilon;
        var rdp = Rdp.Epsilon(history, 1e-5).Epsilon;

        Assert.True(pld <= rdp, $"PLD ε {pld} exceeds RDP ε {rdp}");
    }
}
