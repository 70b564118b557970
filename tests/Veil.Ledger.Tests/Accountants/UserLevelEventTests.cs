using Veil.Ledger.Accountants;
using Veil.Ledger.Events;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

/// <summary>
/// A user-level release is the same mechanism on users: every accountant gives it the ε of its inner event, alone, composed,
/// folded into a tally, or insecure; and its stored form says the unit.
/// </summary>
public class UserLevelEventTests
{
    private static readonly DpEvent Step = new PoissonSampled(1000.0 / 6000, new GaussianEvent(2.3));
    private static readonly DpEvent UserStep = new UserLevel(Step, 10);

    public static TheoryData<string> Accountants => new(AccountantCatalog.Names);

    [Theory]
    [MemberData(nameof(Accountants))]
    public void Every_accountant_reads_a_user_level_release_as_its_mechanism_on_users(string name)
    {
        var accountant = AccountantCatalog.Create(name);
        DpEvent[][] pairs = [[new SelfComposed(Step, 120)], [new SelfComposed(UserStep, 120)]];
        var plain = accountant.Epsilon(pairs[0], 1e-5).Epsilon;
        Assert.Equal(plain, accountant.Epsilon(pairs[1], 1e-5).Epsilon, 12);
        Assert.Equal(plain, accountant.StartTally().With(Enumerable.Repeat(UserStep, 120)).Epsilon(1e-5).Epsilon, 6);
        Assert.True(plain > 0 && double.IsFinite(plain));
        Assert.Equal(double.PositiveInfinity, accountant.Epsilon([new InsecureRandomness(UserStep)], 1e-5).Epsilon);
    }

    [Fact]
    public void A_user_level_release_has_a_stable_stored_form_that_names_the_unit()
    {
        var json = DpEventJson.Serialize(UserStep);
        Assert.StartsWith("{\"type\":\"user_level\",\"examples_per_user\":10,\"event\":{\"type\":\"poisson_sampled\"", json);
        Assert.Equal(UserStep, DpEventJson.Deserialize(json));
        Assert.True(UserLevel.IsIn(new InsecureRandomness(new SelfComposed(UserStep, 3))));
        Assert.False(UserLevel.IsIn(Step));
    }

    [Fact]
    public void A_user_level_release_without_examples_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new UserLevel(Step, 0));
        var error = Assert.Throws<FormatException>(() => DpEventJson.Deserialize(
            "{\"type\":\"user_level\",\"examples_per_user\":0,\"event\":{\"type\":\"gaussian\",\"noise_multiplier\":1}}"));
        Assert.Contains("example", error.Message);
    }
}
