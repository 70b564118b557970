using System.Text;
using Veil.Ledger.Accountants;
using Veil.Ledger.Budget;
using Veil.Ledger.Events;
using Veil.Ledger.Scopes;
using Veil.Ledger.Store;
using Veil.Ledger.Tests.Store;
using Xunit;

namespace Veil.Ledger.Tests.Budget;

/// <summary>
/// The person is charged like an example: a user-level run's scope holds its users' identities beside its examples', so what
/// it spends composes per person across runs, whichever of their examples each run used.
/// </summary>
public sealed class UserScopeTests : IDisposable
{
    private static readonly DpEvent Step = new PoissonSampled(0.1, new GaussianEvent(1.2));
    private static readonly RdpAccountant Rdp = new();
    private readonly TemporaryLedger _ledger = new();
    private readonly ExampleIdentityKey _key = ExampleIdentityKey.Generate();

    public void Dispose() => _ledger.Dispose();

    private static double EpsilonOf(int steps) => Rdp.Epsilon([new SelfComposed(Step, steps)], 1e-5).Epsilon;

    private ulong Example(int i) => _key.Identify(Encoding.ASCII.GetBytes($"image {i}"));

    private ulong User(string id) => _key.IdentifyUser(id);

    // Ann owns images 0–3, Ben 4–6, Cy 7–8.
    private static string OwnerOf(int i) => i < 4 ? "ann" : i < 7 ? "ben" : "cy";

    private DataScope UserLevel(params int[] images) => DataScope.Of(images.Select(Example).Concat(images.Select(i => User(OwnerOf(i)))));

    private DataScope ExampleLevel(params int[] images) => DataScope.Of(images.Select(Example));

    private (BudgetGuard Guard, ILedgerStore Store) Open()
    {
        var store = _ledger.Open();
        return (new BudgetGuard(store, Rdp, new PrivacyBudget(100, 1e-5)), store);
    }

    private static void Spend(BudgetGuard guard, ILedgerStore store, DataScope scope, string run, int steps)
    {
        store.PutScope(scope);
        for (var i = 0; i < steps; i++) Assert.IsType<SpendOutcome.Recorded>(guard.TrySpend(PendingEvent.NewRelease(scope.Id, run, i, Step)));
    }

    private static double EpsilonOf(BudgetGuard guard, ILedgerStore store, ulong identity)
    {
        var alone = DataScope.Of([identity]);
        store.PutScope(alone);
        return guard.Epsilon(alone.Id).Epsilon;
    }

    [Fact]
    public void A_user_whose_examples_are_split_between_two_runs_is_charged_for_both()
    {
        var (guard, store) = Open();
        using var _ = store;
        Spend(guard, store, UserLevel(0, 1, 4), "first", 10);   // two of Ann's images, one of Ben's
        Spend(guard, store, UserLevel(2, 3, 7), "second", 10);  // Ann's other two, one of Cy's
        Assert.Equal(EpsilonOf(20), EpsilonOf(guard, store, User("ann")), 9);
        Assert.Equal(EpsilonOf(10), EpsilonOf(guard, store, User("ben")), 9);
        Assert.Equal(EpsilonOf(10), EpsilonOf(guard, store, Example(0)), 9); // each image was in one run only
        // A third run on any one of Ann's images sees her whole history.
        var third = UserLevel(3);
        store.PutScope(third);
        Assert.Equal(EpsilonOf(20), guard.Epsilon(third.Id).Epsilon, 9);
        Assert.Contains("run first", guard.CheckPlanned(third.Id, new GaussianEvent(0.001)));
    }

    [Fact]
    public void Example_level_runs_charge_the_examples_a_later_user_level_run_composes_with()
    {
        var (guard, store) = Open();
        using var _ = store;
        Spend(guard, store, UserLevel(0, 1, 2, 3, 4, 5, 6, 7, 8), "users", 10);
        Spend(guard, store, ExampleLevel(0, 1, 2, 3, 4, 5, 6, 7, 8), "examples", 5);
        Assert.Equal(EpsilonOf(15), EpsilonOf(guard, store, Example(2)), 9);   // an image: both runs
        Assert.Equal(EpsilonOf(10), EpsilonOf(guard, store, User("ann")), 9);  // Ann as a person: only what covered her
        // So no user-level ε is claimed for people an example-level run touched: a new user-level run on them is refused.
        var images = new[] { 0, 4 };
        var refusal = guard.CheckOwnersCharged(images.Select(Example).ToList(), images.Select(i => User(OwnerOf(i))).ToList());
        Assert.NotNull(refusal);
        Assert.Contains("examples", refusal);
        Assert.Contains("2 users", refusal);
    }

    [Fact]
    public void A_user_level_run_on_people_only_user_level_runs_touched_is_not_refused()
    {
        var (guard, store) = Open();
        using var _ = store;
        Spend(guard, store, UserLevel(0, 1, 4), "first", 3);
        Spend(guard, store, ExampleLevel(7, 8), "cy-as-examples", 3);
        var images = new[] { 2, 3, 5, 6 };
        Assert.Null(guard.CheckOwnersCharged(images.Select(Example).ToList(), images.Select(i => User(OwnerOf(i))).ToList()));
        Assert.NotNull(guard.CheckOwnersCharged([Example(8)], [User("cy")]));
    }

    [Fact]
    public void A_user_identity_is_its_own_domain_and_the_same_across_calls()
    {
        Assert.Equal(User("ann"), User("ann"));
        Assert.NotEqual(User("ann"), User("ben"));
        Assert.NotEqual(_key.Identify(Encoding.UTF8.GetBytes("ann")), User("ann"));
        Assert.NotEqual(ExampleIdentityKey.Generate().IdentifyUser("ann"), User("ann"));
    }
}
