using Veil.Ledger.Scopes;
using Veil.Ledger.Store;
using Xunit;

namespace Veil.Ledger.Tests.Scopes;

public class DataScopeTests
{
    [Fact]
    public void A_scope_is_its_set_of_examples_whatever_their_order_or_repetition()
    {
        var a = DataScope.Of([5UL, 1, 9, 5, ulong.MaxValue, 0]);
        var b = DataScope.Of([ulong.MaxValue, 9, 1, 0, 5]);
        Assert.Equal(a.Id, b.Id);
        Assert.Equal([0UL, 1, 5, 9, ulong.MaxValue], a.Identities.ToArray());
        Assert.Equal(5, a.Count);
        Assert.NotEqual(a.Id, DataScope.Of([0UL, 1, 5, 9]).Id);
        Assert.True(DataScope.IsScopeKey(a.Id));
        Assert.False(DataScope.IsScopeKey("3f2a9c…a legacy fingerprint"));
    }

    [Fact]
    public void Stored_bytes_read_back_as_the_same_scope()
    {
        var scope = DataScope.Of(Enumerable.Range(0, 1000).Select(i => (ulong)i * 7919));
        var back = DataScope.FromBytes(scope.Id, scope.ToBytes());
        Assert.Equal(scope.Id, back.Id);
        Assert.Equal(scope.Identities.ToArray(), back.Identities.ToArray());
    }

    [Fact]
    public void Stored_bytes_that_do_not_hash_to_the_id_are_refused()
    {
        var scope = DataScope.Of([1UL, 2, 3]);
        var bytes = scope.ToBytes();
        bytes[^1] ^= 1; // example 3 becomes example 2: one example less charged
        var e = Assert.Throws<LedgerException>(() => DataScope.FromBytes(scope.Id, bytes));
        Assert.Contains(scope.Id, e.Message);
        Assert.Throws<LedgerException>(() => DataScope.FromBytes(scope.Id, scope.ToBytes()[..^1]));
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)]
    public void Shared_examples_and_membership_match_a_set_intersection(int seed)
    {
        var random = new Random(seed);
        var a = Enumerable.Range(0, 500).Select(_ => (ulong)random.Next(800)).ToHashSet();
        var b = Enumerable.Range(0, 300).Select(_ => (ulong)random.Next(800)).ToHashSet();
        var (sa, sb) = (DataScope.Of(a), DataScope.Of(b));
        Assert.Equal(a.Intersect(b).Count(), sa.CountShared(sb));
        Assert.Equal(sa.CountShared(sb), sb.CountShared(sa));
        for (ulong x = 0; x < 800; x++) Assert.Equal(a.Contains(x), sa.Contains(x));
    }
}
