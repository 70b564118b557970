using Veil.DataLoading.Datasets;

namespace Veil.DataLoading.Ownership;

/// <summary>
/// SYNTHETIC owners for data that has none (Fashion-MNIST): the examples are dealt to <c>users</c> made-up users by a seeded
/// shuffle, as evenly as possible (N/U each when U divides N). For measuring what user-level DP costs; the users are not people.
/// The same (N, U, seed) always gives the same assignment, so a resumed run and a later run see the same users.
/// </summary>
public static class SyntheticOwners
{
    public static ExampleOwners Assign(int examples, int users, ulong seed)
    {
        if (examples <= 0) throw new OwnershipException("synthetic users need at least one example");
        if (users < 1 || users > examples)
            throw new OwnershipException(
                $"veil.data.owners.synthetic-users = {users} must be in [1, {examples}] (the training examples): every synthetic user owns at least one");
        var order = Enumerable.Range(0, examples).ToArray();
        var random = new SplitMix64(seed);
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var owner = new string?[examples];
        var width = (users - 1).ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        for (var p = 0; p < examples; p++)
            owner[order[p]] = "synthetic-" + (p % users).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width, '0');
        return ExampleOwners.FromUserIds(owner, i => $"example {i}");
    }
}
