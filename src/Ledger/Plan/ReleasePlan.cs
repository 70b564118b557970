using System.Text.Json.Serialization;
using Veil.Ledger.Events;

namespace Veil.Ledger.Plan;

/// <summary>
/// The frozen plan of a run that makes a fixed set of noisy releases (the last-layer mechanisms: DP least squares,
/// DP-FC, DP Newton, DP-SGD on a head): every release group with its σ and sensitivity, δ, and the data it is spent on.
/// Built and validated once, before the run opens; its <see cref="Event"/> is what the budget is checked against and what
/// the ledger will hold once every release is made. Serialised through <see cref="PlanJson"/>.
/// </summary>
public sealed record ReleasePlan
{
    [JsonConstructor]
    public ReleasePlan(IReadOnlyList<PlannedRelease> releases, double delta, string datasetFingerprint, long datasetSize)
    {
        ArgumentNullException.ThrowIfNull(releases);
        if (releases.Count == 0) throw new ArgumentException("a release plan needs at least one release", nameof(releases));
        var duplicate = releases.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"release \"{duplicate.Key}\" appears twice in the plan", nameof(releases));
        if (!(delta > 0 && delta < 1)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be in (0, 1)");
        if (string.IsNullOrWhiteSpace(datasetFingerprint)) throw new ArgumentException("a dataset fingerprint is required", nameof(datasetFingerprint));
        if (datasetSize <= 0) throw new ArgumentOutOfRangeException(nameof(datasetSize), datasetSize, "dataset size must be > 0");
        (Releases, Delta, DatasetFingerprint, DatasetSize) = (releases.ToArray(), delta, datasetFingerprint, datasetSize);
    }

    [JsonPropertyName("privacy_unit")] public string PrivacyUnit => "example";
    [JsonPropertyName("releases")] public IReadOnlyList<PlannedRelease> Releases { get; }
    [JsonPropertyName("delta")] public double Delta { get; }
    [JsonPropertyName("dataset_fingerprint")] public string DatasetFingerprint { get; }
    [JsonPropertyName("dataset_size")] public long DatasetSize { get; }

    /// <summary>Every planned release composed: the whole run as one event (written for a reader; the fields rebuild it when read).</summary>
    [JsonPropertyName("event"), JsonConverter(typeof(DpEventJsonConverter))] public DpEvent Event => new Composed(Releases.Select(r => r.Event).ToArray());

    /// <summary>σ of each release group, by name.</summary>
    [JsonIgnore] public IReadOnlyDictionary<string, double> NoiseMultipliers => Releases.ToDictionary(r => r.Name, r => r.NoiseMultiplier);

    public bool Equals(ReleasePlan? other) =>
        other is not null && Releases.SequenceEqual(other.Releases) && Delta == other.Delta
        && DatasetFingerprint == other.DatasetFingerprint && DatasetSize == other.DatasetSize;

    public override int GetHashCode() => HashCode.Combine(Releases.Count, Delta, DatasetFingerprint, DatasetSize);
}
