using Veil.Ledger.Accountants;
using Veil.Ledger.Budget;
using Veil.Ledger.Events;
using Veil.Ledger.Scopes;
using Veil.Ledger.Store;
using Veil.Ledger.Tests.Store;
using Xunit;

namespace Veil.Ledger.Tests.Budget;

/// <summary>
/// The reference for block composition: each example's ε computed example by example, from every record
/// whose scope holds it. The guard's answer for a scope (its worst block) must equal the worst of its
/// examples, before and after each new event. Seeded random scopes over a small universe and random
/// events; RDP to 1e-12 relative, PLD to 1e-9. Deterministic, so a failure is a real difference.
/// </summary>
public class BlockCompositionMatchesPerExampleTests : IDisposable
{
    private const double Delta = 1e-5;
    private readonly TemporaryLedger _ledger = new();

    public void Dispose() => _ledger.Dispose();

    [Theory]
    [InlineData("rdp", 1, 30)] [InlineData("rdp", 2, 30)] [InlineData("rdp", 3, 30)] [InlineData("rdp", 4, 30)]
    [InlineData("pld", 5, 8)] [InlineData("pld", 6, 8)]
    public void The_worst_block_of_a_scope_is_its_worst_example(string accountantName, int seed, int appends)
    {
        var accountant = AccountantCatalog.Create(accountantName);
        var random = new RandomHistories(seed);
        var draw = new Random(seed);
        using var store = _ledger.Open();
        var universe = Enumerable.Range(0, 24).Select(i => (ulong)i * 1_000_003).ToArray();
        var scopes = Enumerable.Range(0, 5)
            .Select(_ => DataScope.Of(universe.Where(_ => draw.NextDouble() < 0.5)))
            .Append(DataScope.Of(universe)).ToList();
        foreach (var s in scopes) store.PutScope(s);
        store.Append(PendingEvent.NewRelease("legacy-fingerprint", "old", 0, random.NextEvent(pldOnly: true))); // composes with nothing here
        var guard = new BudgetGuard(store, accountant, new PrivacyBudget(1e300, Delta));
        var naive = new PerExample(store, accountant, scopes);
        for (var i = 0; i < appends; i++)
        {
            var scope = scopes[draw.Next(scopes.Count)];
            var dpEvent = random.NextEvent(pldOnly: accountantName == "pld");
            var expected = naive.Worst(scope, dpEvent);
            var recorded = Assert.IsType<SpendOutcome.Recorded>(guard.TrySpend(PendingEvent.NewRelease(scope.Id, $"run-{i % 4}", i, dpEvent)));
            AssertClose(expected, recorded.EpsilonSpent, accountantName, $"append {i}");
            var probe = scopes[draw.Next(scopes.Count)];
            AssertClose(naive.Worst(probe, null), guard.Epsilon(probe.Id).Epsilon, accountantName, $"after append {i}");
        }
    }

    private static void AssertClose(double expected, double actual, string accountant, string when)
    {
        var tolerance = accountant == "rdp" ? 1e-12 : 1e-9;
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Max(1, expected), $"{when}: guard ε {actual:R}, per-example ε {expected:R}");
    }

    /// <summary>ε example by example, straight from the ledger's records (memoised on the exact set of records charged).</summary>
    private sealed class PerExample(ILedgerStore store, IPrivacyAccountant accountant, IReadOnlyList<DataScope> scopes)
    {
        private readonly Dictionary<string, double> _memo = new();

        public double Worst(DataScope scope, DpEvent? pending)
        {
            var records = store.ReadAll();
            var worst = 0.0;
            foreach (var example in scope.Identities.ToArray())
            {
                var charged = records.Where(r => scopes.FirstOrDefault(s => s.Id == r.DatasetFingerprint)?.Contains(example) == true).ToList();
                var key = string.Join(',', charged.Select(r => r.Sequence)) + (pending is null ? "" : "+" + DpEventJson.Serialize(pending));
                if (!_memo.TryGetValue(key, out var epsilon))
                {
                    var history = charged.Select(r => r.Event).ToList();
                    if (pending is not null) history.Add(pending);
                    _memo[key] = epsilon = history.Count == 0 ? 0 : accountant.Epsilon(history, Delta).Epsilon;
                }
                worst = Math.Max(worst, epsilon);
            }
            return worst;
        }
    }
}
