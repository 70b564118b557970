using Veil.Ledger.Accountants;
using Veil.Ledger.Accountants.Pld;
using Veil.Ledger.Events;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

/// <summary>Histories where σ or q changed mid-run: composition can only add privacy loss, and its order cannot matter.</summary>
public class PldHeterogeneousCompositionTests
{
    private const double Delta = 1e-5;
    // A 1e-3 grid keeps these fast; the properties hold on any grid.
    private static readonly PldAccountant Accountant = new(valueDiscretisationInterval: 1e-3);

    private static readonly DpEvent FirstPhase = new SelfComposed(new PoissonSampled(0.01, new GaussianEvent(1.0)), 1000);
    private static readonly DpEvent SecondPhase = new SelfComposed(new PoissonSampled(0.05, new GaussianEvent(2.0)), 300);

    private static double Epsilon(params DpEvent[] history) => Accountant.Epsilon(history, Delta).Epsilon;

    [Fact]
    public void Two_phases_together_spend_more_than_either_phase_alone()
    {
        var first = Epsilon(FirstPhase);
        var second = Epsilon(SecondPhase);
        var both = Epsilon(new Composed([FirstPhase, SecondPhase]));

        Assert.True(both > first, $"both {both} vs first {first}");
        Assert.True(both > second, $"both {both} vs second {second}");
        // Composition is sub-additive in ε; anything above the sum would mean the convolution went wrong.
        Assert.True(both < first + second, $"both {both} vs sum {first + second}");
    }

    [Fact]
    public void Order_of_phases_does_not_change_epsilon()
    {
        var forward = Epsilon(new Composed([FirstPhase, SecondPhase]));
        var backward = Epsilon(new Composed([SecondPhase, FirstPhase]));

        Assert.Equal(forward, backward, 1e-9);
    }

    [Fact]
    public void Composing_two_different_plds_is_commutative_up_to_round_off()
    {
        var a = AddOrRemovePld.ForSubsampledGaussian(1.0, 0.01, 1e-4, 1e-15).SelfCompose(100, 1e-15);
        var b = AddOrRemovePld.ForSubsampledGaussian(2.0, 0.05, 1e-4, 1e-15).SelfCompose(30, 1e-15);

        var ab = a.Compose(b, 1e-15);
        var ba = b.Compose(a, 1e-15);

        Assert.Equal(ab.EpsilonForDelta(Delta), ba.EpsilonForDelta(Delta), 1e-9);
        Assert.Equal(ab.DeltaForEpsilon(1.0), ba.DeltaForEpsilon(1.0), 1e-15);
    }

    [Fact]
    public void A_ledger_of_single_steps_spends_the_same_as_one_self_composed_event()
    {
        var step = new PoissonSampled(0.01, new GaussianEvent(1.0));
        var oneByOne = Enumerable.Repeat<DpEvent>(step, 1000).ToArray();

        Assert.Equal(Epsilon(FirstPhase), Epsilon(oneByOne), 1e-12);
    }

    [Fact]
    public void Splitting_a_run_into_chunks_spends_the_same_as_the_whole_run()
    {
        var step = new PoissonSampled(0.01, new GaussianEvent(1.0));
        var chunked = new Composed([new SelfComposed(step, 600), new Composed([new SelfComposed(step, 399), step])]);

        Assert.Equal(Epsilon(FirstPhase), Epsilon(chunked), 1e-12);
    }

    [Fact]
    public void Plain_gaussian_steps_mixed_into_a_subsampled_run_add_privacy_loss()
    {
        var withEvaluations = Epsilon(FirstPhase, new SelfComposed(new GaussianEvent(50.0), 10));

        Assert.True(withEvaluations > Epsilon(FirstPhase));
    }
}
