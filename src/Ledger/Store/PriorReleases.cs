namespace Veil.Ledger.Store;

/// <summary>
/// How many times each step of one run is already in the ledger. A step released before a crash (append done,
/// update lost) is released again on resume; that second release must be a fresh, independent subsampled
/// Gaussian (new Poisson sample, new noise), because two releases of one sample with one noise draw differ by
/// a noise-free amount that no accountant models. The samplers and noise sources key a step's randomness by
/// (step, this count), so the k-th release of a step draws the k-th independent sample and noise.
/// </summary>
public sealed class PriorReleases
{
    private readonly IReadOnlyDictionary<long, int> _counts;

    private PriorReleases(IReadOnlyDictionary<long, int> counts) => _counts = counts;

    /// <summary>A run with nothing in the ledger yet.</summary>
    public static PriorReleases None { get; } = new(new Dictionary<long, int>());

    /// <summary>From the ledger records of run <paramref name="runId"/> (records of other runs are ignored).</summary>
    public static PriorReleases Of(IEnumerable<LedgerRecord> records, string runId) =>
        new(records.Where(r => r.RunId == runId).GroupBy(r => r.Step).ToDictionary(g => g.Key, g => g.Count()));

    /// <summary>Releases of <paramref name="step"/> already recorded: 0 the first time the step is released.</summary>
    public int Of(long step) => _counts.GetValueOrDefault(step);

    /// <summary>Every release of the run in the ledger, all steps together.</summary>
    public long Total => _counts.Values.Sum(c => (long)c);
}
