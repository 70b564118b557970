using Veil.Ledger.Accountants;
using Veil.Ledger.Events;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

/// <summary>A release with user-fixed keys guarantees nothing: ε = +∞ in every accountant, however it is composed or folded.</summary>
public class InsecureRandomnessIsUnboundedTests
{
    private static readonly DpEvent Step = new PoissonSampled(0.01, new GaussianEvent(1.1));
    private static readonly DpEvent Insecure = new InsecureRandomness(Step);

    public static TheoryData<string> Accountants => new(AccountantCatalog.Names);

    [Theory]
    [MemberData(nameof(Accountants))]
    public void Insecure_randomness_and_anything_composed_with_it_is_infinite(string name)
    {
        var accountant = AccountantCatalog.Create(name);
        Assert.True(double.IsFinite(accountant.Epsilon([Step, Step], 1e-5).Epsilon));
        DpEvent[][] histories =
        [
            [Insecure],
            [Step, Insecure, Step],
            [new SelfComposed(Insecure, 1000)],
            [new SelfComposed(Insecure, 0), Step], // even zero times: the keys were fixed for this run
            [new Composed([Step, Insecure])],
            [new PoissonSampled(0.5, Insecure)],
        ];
        foreach (var history in histories)
        {
            var spent = accountant.Epsilon(history, 1e-5);
            Assert.Equal(double.PositiveInfinity, spent.Epsilon);
            Assert.Equal(name, spent.Accountant);
            Assert.Equal(double.PositiveInfinity, accountant.StartTally().With(history).Epsilon(1e-5).Epsilon);
        }
    }

    [Theory]
    [MemberData(nameof(Accountants))]
    public void A_tally_with_an_insecure_release_stays_infinite_when_folded_or_added(string name)
    {
        var accountant = AccountantCatalog.Create(name);
        var secure = accountant.StartTally().With([Step, Step]);
        var insecure = accountant.StartTally().With([Insecure]);
        Assert.Equal(double.PositiveInfinity, secure.Plus(insecure).Epsilon(1e-5).Epsilon);
        Assert.Equal(double.PositiveInfinity, insecure.Plus(secure).With([Step]).Epsilon(1e-5).Epsilon);
        Assert.True(double.IsFinite(secure.Plus(secure).Epsilon(1e-5).Epsilon));
    }
}
