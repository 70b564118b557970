namespace Veil.DataLoading.Ownership;

/// <summary>
/// Who owns each training example: every example has exactly one user, and a user any number of examples. Users are
/// numbered 0…U−1 in ordinal order of their ids, so the numbering depends on the declaration only, not on file order.
/// Built by <see cref="OwnerManifest"/>, <see cref="FolderOwners"/> or <see cref="SyntheticOwners"/>.
/// </summary>
public sealed class ExampleOwners
{
    private readonly int[] _userOf;
    private readonly string[] _userIds;
    private readonly int[][] _examplesOf;

    private ExampleOwners(int[] userOf, string[] userIds, int[][] examplesOf)
    {
        _userOf = userOf;
        _userIds = userIds;
        _examplesOf = examplesOf;
        MaxExamplesPerUser = examplesOf.Length == 0 ? 0 : examplesOf.Max(e => e.Length);
    }

    /// <summary>
    /// Owners from one user id per example (index order). A missing (null or blank) owner is refused, naming the example
    /// through <paramref name="describeExample"/>.
    /// </summary>
    public static ExampleOwners FromUserIds(IReadOnlyList<string?> ownerOfExample, Func<int, string> describeExample)
    {
        ArgumentNullException.ThrowIfNull(ownerOfExample);
        ArgumentNullException.ThrowIfNull(describeExample);
        if (ownerOfExample.Count == 0) throw new OwnershipException("the data has no examples, so no owners");
        var missing = Enumerable.Range(0, ownerOfExample.Count).Where(i => string.IsNullOrWhiteSpace(ownerOfExample[i])).Take(4).ToList();
        if (missing.Count > 0)
            throw new OwnershipException(
                $"{string.Join(", ", missing.Select(describeExample))}{(missing.Count == 4 ? " (and maybe more)" : "")} " +
                $"{(missing.Count == 1 ? "has" : "have")} no owner: with veil.privacy.unit = user every example must belong to exactly one user; " +
                "declare them in the manifest (veil.data.owners.manifest) or the folder tree (veil.data.owners.from = folder)");
        var ids = ownerOfExample.Select(o => o!.Trim()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (var u = 0; u < ids.Length; u++) index[ids[u]] = u;
        var userOf = ownerOfExample.Select(o => index[o!.Trim()]).ToArray();
        var examples = new List<int>[ids.Length];
        for (var u = 0; u < ids.Length; u++) examples[u] = [];
        for (var i = 0; i < userOf.Length; i++) examples[userOf[i]].Add(i);
        return new ExampleOwners(userOf, ids, examples.Select(e => e.ToArray()).ToArray());
    }

    /// <summary>N, the examples.</summary>
    public int ExampleCount => _userOf.Length;

    /// <summary>U, the users (the user-level sampler's population).</summary>
    public int UserCount => _userIds.Length;

    /// <summary>The most examples any one user has.</summary>
    public int MaxExamplesPerUser { get; }

    /// <summary>The user (0…U−1) who owns example <paramref name="example"/>.</summary>
    public int UserOf(int example) => _userOf[example];

    /// <summary>User <paramref name="user"/>'s id as declared (what the ledger's user identity is made from).</summary>
    public string UserId(int user) => _userIds[user];

    /// <summary>User <paramref name="user"/>'s examples, ascending.</summary>
    public IReadOnlyList<int> ExamplesOf(int user) => _examplesOf[user];
}
