using Veil.DataLoading.Datasets;
using Veil.DataLoading.Ownership;

namespace Veil.Actors.Auditing;

/// <summary>
/// Which training examples are canaries, their wrong labels and their inclusion coins, all from one seed.
/// A mislabelled example is the standard black-box canary: a model that memorised it has a low loss on
/// its wrong label, one that never saw it a high one. The rest of the data is always included. The coins
/// are drawn independently of everything the training run randomises (sampling, noise), as the audit's
/// theorem requires.
///
/// User level (<see cref="DrawUsers"/>): the canaries are people. Whole users are drawn, every example of a canary user is
/// mislabelled, and one coin per user puts all of their examples in or out together; the auditor scores each user by the
/// mean loss of their examples. Users stay who they are (no example changes owner), so the ledger's people stay consistent.
/// </summary>
public sealed class CanaryPlan
{
    private CanaryPlan(int poolSize, int[] indices, byte[] wrongLabels, bool[] included, ulong seed, int[]? canaryUser = null)
    {
        CanaryUser = canaryUser;
        PoolSize = poolSize;
        Indices = indices;
        WrongLabels = wrongLabels;
        Included = included;
        Seed = seed;
    }

    /// <summary>Examples of the data the canaries were drawn from.</summary>
    public int PoolSize { get; }

    /// <summary>Canary c is example Indices[c] of the pool.</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>Canary c's label in the audited run: never its true label.</summary>
    public IReadOnlyList<byte> WrongLabels { get; }

    /// <summary>Canary c is in the audited run's training data.</summary>
    public IReadOnlyList<bool> Included { get; }

    public ulong Seed { get; }

    public int Count => Indices.Count;

    /// <summary>User-level plans: canary example c belongs to canary user CanaryUser[c] (0…users−1); null for example canaries.</summary>
    public IReadOnlyList<int>? CanaryUser { get; }

    /// <summary>
    /// m canary users of <paramref name="pool"/> (distinct, uniformly drawn), all of their examples mislabelled (a uniformly random wrong
    /// label each), and one fair coin per user.
    /// </summary>
    public static CanaryPlan DrawUsers(ImageDataset pool, ExampleOwners owners, int users, ulong seed, string key = "veil.audit.canaries")
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(owners);
        if (owners.ExampleCount != pool.Count) throw new ArgumentException($"owners of {owners.ExampleCount} examples for {pool.Name}'s {pool.Count}");
        if (users < 1 || users >= owners.UserCount)
            throw new ArgumentException(
                $"{key} = {users}: a user-level audit draws canary users, and the training data {pool.Name} has {owners.UserCount} users; " +
                $"give between 1 and {owners.UserCount - 1} (some users must stay ordinary)");
        if (pool.Classes < 2) throw new ArgumentException($"{pool.Name} has {pool.Classes} class: a canary needs a wrong label to take");
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        var order = Enumerable.Range(0, owners.UserCount).ToArray();
        for (var i = 0; i < users; i++)
        {
            var j = i + random.Next(order.Length - i);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var indices = new List<int>();
        var canaryUser = new List<int>();
        for (var u = 0; u < users; u++)
            foreach (var example in owners.ExamplesOf(order[u]))
            {
                indices.Add(example);
                canaryUser.Add(u);
            }
        var wrong = indices.Select(i => (byte)((pool.Labels[i] + 1 + random.Next(pool.Classes - 1)) % pool.Classes)).ToArray();
        var coins = Enumerable.Range(0, users).Select(_ => random.Next(2) == 1).ToArray();
        return new CanaryPlan(pool.Count, indices.ToArray(), wrong, canaryUser.Select(u => coins[u]).ToArray(), seed, canaryUser.ToArray());
    }

    /// <summary>The pool indices of the audited run's training data, in pool order: every ordinary example and each included canary.</summary>
    public int[] Kept()
    {
        var included = new Dictionary<int, bool>(Count);
        for (var c = 0; c < Count; c++) included[Indices[c]] = Included[c];
        return Enumerable.Range(0, PoolSize).Where(i => !included.TryGetValue(i, out var keep) || keep).ToArray();
    }

    /// <summary>
    /// m distinct canaries of <paramref name="pool"/> (a partial Fisher–Yates shuffle), a uniformly random wrong
    /// label for each, and a fair coin each. <paramref name="key"/> names the setting in the error.
    /// </summary>
    public static CanaryPlan Draw(ImageDataset pool, int canaries, ulong seed, string key = "veil.audit.canaries")
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (canaries < 1 || canaries >= pool.Count)
            throw new ArgumentException(
                $"{key} = {canaries}: the training data {pool.Name} has {pool.Count} examples; " +
                $"give between 1 and {pool.Count - 1} canaries (some examples must stay ordinary)");
        if (pool.Classes < 2)
            throw new ArgumentException($"{pool.Name} has {pool.Classes} class: a canary needs a wrong label to take");
        // System.Random's seeded sequence is stable in practice; the seed is reported so an audit can be rerun.
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        var order = Enumerable.Range(0, pool.Count).ToArray();
        for (var i = 0; i < canaries; i++)
        {
            var j = i + random.Next(pool.Count - i);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var indices = order[..canaries];
        var wrong = new byte[canaries];
        for (var c = 0; c < canaries; c++)
            wrong[c] = (byte)((pool.Labels[indices[c]] + 1 + random.Next(pool.Classes - 1)) % pool.Classes);
        var included = new bool[canaries];
        for (var c = 0; c < canaries; c++) included[c] = random.Next(2) == 1;
        return new CanaryPlan(pool.Count, indices, wrong, included, seed);
    }

    /// <summary>The audited run's training data: every ordinary example, and each included canary with its wrong label, in pool order.</summary>
    public ImageDataset TrainingSet(ImageDataset pool)
    {
        CheckPool(pool);
        var canaryOf = new Dictionary<int, int>(Count);
        for (var c = 0; c < Count; c++) canaryOf[Indices[c]] = c;
        var kept = Kept();
        var size = pool.ExampleSize;
        var pixels = new byte[(long)kept.Length * size];
        var labels = new byte[kept.Length];
        for (var k = 0; k < kept.Length; k++)
        {
            var i = kept[k];
            pool.Pixels.AsSpan(i * size, size).CopyTo(pixels.AsSpan(k * size, size));
            labels[k] = canaryOf.TryGetValue(i, out var c) ? WrongLabels[c] : pool.Labels[i];
        }
        return new ImageDataset(
            $"{pool.Name}+canaries", $"{pool.Source} with {Count} canaries (seed {Seed})", pool.Channels, pool.Height, pool.Width, pixels, labels,
            pool.Classes);
    }

    /// <summary>All m canaries with their wrong labels, in canary order: what the auditor scores.</summary>
    public ImageDataset Canaries(ImageDataset pool)
    {
        CheckPool(pool);
        var size = pool.ExampleSize;
        var pixels = new byte[(long)Count * size];
        for (var c = 0; c < Count; c++) pool.Pixels.AsSpan(Indices[c] * size, size).CopyTo(pixels.AsSpan(c * size, size));
        return new ImageDataset($"{pool.Name} canaries", pool.Source, pool.Channels, pool.Height, pool.Width, pixels, WrongLabels.ToArray(), pool.Classes);
    }

    private void CheckPool(ImageDataset pool)
    {
        if (pool.Count != PoolSize)
            throw new ArgumentException($"the canaries were drawn from {PoolSize} examples, not from {pool.Name}'s {pool.Count}");
    }
}
