using System.Collections.Concurrent;
using Veil.Ledger.Accountants;
using Veil.Ledger.Events;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

/// <summary>
/// Agreement with Google's dp_accounting PLDAccountant (add-or-remove-one, connect-the-dots, Δ = 1e-4) on
/// published DP-SGD settings. Reference values: docs/accountant-reference-values.md, "Item 3 — PLD ε" and
/// "Item 5e", computed with dp_accounting 0.6.0 (google/differential-privacy snapshot
/// b5b0286e313b64a692abfc8c528d54ef47d960a0); RDP values from "Item 1" of the same file.
/// </summary>
public class PldMatchesDpAccountingTests
{
    private static readonly PldAccountant Accountant = new();
    private static readonly ConcurrentDictionary<(double, double, long, double), double> EpsilonCache = new();

    // Each history is composed once and shared by the tests below; a composition at Δ = 1e-4 is the slow part.
    private static double Epsilon(double q, double sigma, long steps, double delta) =>
        EpsilonCache.GetOrAdd((q, sigma, steps, delta), _ =>
        {
            DpEvent step = q == 1.0 ? new GaussianEvent(sigma) : new PoissonSampled(q, new GaussianEvent(sigma));
            return Accountant.Epsilon([new SelfComposed(step, steps)], delta).Epsilon;
        });

    public static TheoryData<double, double, long, double, double> DpAccountingCases => new()
    {
        // Opacus' CIFAR-10 example: q = 0.04, σ = 1.5, 90 epochs.
        { 0.04, 1.5, 2250, 1e-5, 6.768787376865218 },
        // Abadi et al.'s MNIST setting: lot 256 of 60,000, σ = 1.1, 60 epochs.
        { 256.0 / 60000, 1.1, 14062, 1e-5, 2.3816859975649587 },
        { 0.01, 1.0, 1000, 1e-5, 1.828243645616618 },
        { 1.0, 5.0, 10, 1e-6, 2.9216006516465405 },
        // dp_accounting's own pld_privacy_accountant_test: ε(δ = 0.15594) = 1 for q = 0.2, σ = 0.5, 3 steps.
        { 0.2, 0.5, 3, 0.15594, 0.9999250848646037 },
    };

    [Theory]
    [MemberData(nameof(DpAccountingCases))]
    public void Epsilon_is_within_one_percent_of_dp_accounting(double q, double sigma, long steps, double delta, double dpAccounting)
    {
        var ours = Epsilon(q, sigma, steps, delta);

        Assert.InRange(ours, 0.99 * dpAccounting, 1.01 * dpAccounting);
    }

    public static TheoryData<double, double, long, double, double> RdpCases => new()
    {
        // dp_accounting RdpAccountant with default orders and the exact (signed) fractional-order series.
        { 0.04, 1.5, 2250, 1e-5, 7.3291111714386545 },
        { 256.0 / 60000, 1.1, 14062, 1e-5, 2.596555868960748 },
    };

    [Theory]
    [MemberData(nameof(RdpCases))]
    public void Epsilon_is_five_to_fifteen_percent_below_rdp(double q, double sigma, long steps, double delta, double rdp)
    {
        var ours = Epsilon(q, sigma, steps, delta);

        Assert.InRange(ours, 0.85 * rdp, 0.95 * rdp);
    }
}
