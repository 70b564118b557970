using Veil.DataLoading.Ownership;
using Veil.Ledger.Randomness;
using Veil.Ledger.Store;

namespace Veil.DataLoading.Sampling;

/// <summary>
/// Poisson sampling over users, for user-level DP-SGD: at every step each of the U users joins independently with probability
/// q (the same <see cref="PoissonSampler"/>, over users), then each sampled user brings at most k of their examples, drawn
/// uniformly without replacement (all of them when they have k or fewer). Both draws come from the run's secret sampler seed
/// (the examples from a stream of their own purpose), so the step's sample depends only on (seed, step, release): a resumed run
/// redraws it, a re-released step draws afresh.
/// </summary>
public sealed class UserPoissonSampler
{
    private const string Purpose = "veil/user-examples/v1";

    private readonly PoissonSampler _users;
    private readonly ExampleOwners _owners;
    private readonly SamplerSeed _seed;
    private readonly PriorReleases _priorReleases;

    /// <param name="examplesPerUser">k ≥ 1, the most examples one user contributes to a step.</param>
    public UserPoissonSampler(ExampleOwners owners, double samplingRate, int examplesPerUser, SamplerSeed seed, PriorReleases? priorReleases = null)
    {
        ArgumentNullException.ThrowIfNull(owners);
        ArgumentNullException.ThrowIfNull(seed);
        if (examplesPerUser < 1)
            throw new ArgumentOutOfRangeException(nameof(examplesPerUser), examplesPerUser,
                "examples per user k must be ≥ 1 (veil.privacy.examples-per-user): a sampled user contributes at most k examples");
        _owners = owners;
        _seed = seed;
        _priorReleases = priorReleases ?? PriorReleases.None;
        _users = new PoissonSampler(owners.UserCount, samplingRate, seed, _priorReleases);
        ExamplesPerUser = examplesPerUser;
    }

    public int ExamplesPerUser { get; }

    public int UserCount => _owners.UserCount;

    public double SamplingRate => _users.SamplingRate;

    /// <summary>qU: what the noisy sum is divided by.</summary>
    public double ExpectedUsers => _users.ExpectedBatchSize;

    /// <summary>The sampled users of step <paramref name="step"/>, ascending, each with their chosen example indices (ascending).</summary>
    public IReadOnlyList<int[]> Sample(long step)
    {
        var users = _users.Sample(step);
        var chosen = new int[users.Length][];
        using var random = new KeyedRandomStream(Purpose, _seed.ForRelease(_priorReleases.Of(step)).Bytes, step);
        for (var u = 0; u < users.Length; u++)
        {
            var all = _owners.ExamplesOf(users[u]);
            if (all.Count <= ExamplesPerUser)
            {
                chosen[u] = all.ToArray();
                continue;
            }
            // Partial Fisher-Yates: the first k of a uniformly shuffled copy are a uniform k-subset.
            var pool = all.ToArray();
            for (var i = 0; i < ExamplesPerUser; i++)
            {
                var j = i + Below(random, pool.Length - i);
                (pool[i], pool[j]) = (pool[j], pool[i]);
            }
            var pick = pool[..ExamplesPerUser];
            Array.Sort(pick);
            chosen[u] = pick;
        }
        return chosen;
    }

    // Uniform in [0, bound) by rejection: a plain modulo would favour small values.
    private static int Below(KeyedRandomStream random, int bound)
    {
        var limit = ulong.MaxValue - ulong.MaxValue % (ulong)bound;
        ulong x;
        do x = random.NextUInt64();
        while (x >= limit);
        return (int)(x % (ulong)bound);
    }
}
