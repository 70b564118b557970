using Veil.Actors.Configuration;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Identity;
using Veil.Ledger.Scopes;
using Veil.Ledger.Store;

namespace Veil.Actors.PrivateRuns;

/// <summary>
/// Data used without DP (pre-training a backbone) is public only if no private run has used it: its scope must be
/// disjoint from every scope the configured ledger charges, unless the user declares the data public
/// (veil.data.public = true: then those earlier private runs protected data that needed no protection). The scope is
/// returned, made with the ledger's identity key, for the backbone to record.
/// </summary>
public static class PublicData
{
    public static (DataScope Scope, ExampleIdentityKey Key) Resolve(
        PrivacySettings privacy, string runsDirectory, ImageDataset data, bool declaredPublic, TextWriter log)
    {
        if (privacy.LedgerBackend != LedgerBackends.Postgres && !File.Exists(Path.GetFullPath(privacy.LedgerPath)))
        {
            // No ledger yet: nothing is private so far. The key is made now so the backbone's scope can be compared later.
            var fresh = ExampleIdentityKey.LoadOrCreate(LedgerStoreFactory.IdentityKeyPath(privacy, runsDirectory));
            return (DataScope.Of(ExampleIdentities.Of(fresh, data)), fresh);
        }
        using var store = LedgerStoreFactory.Open(privacy, createIfMissing: false);
        var key = PrivateRun.BindKey(store, privacy, runsDirectory);
        var scope = DataScope.Of(ExampleIdentities.Of(key, data));
        var runsByScope = store.ReadAll().Where(r => DataScope.IsScopeKey(r.DatasetFingerprint))
            .GroupBy(r => r.DatasetFingerprint, r => r.RunId).ToList();
        foreach (var charged in runsByScope)
        {
            var id = charged.Key;
            var spent = store.ReadScope(id) ?? throw new LedgerException(
                $"ledger {store.Location} charges scope {id[..18]} but does not hold it; verify the ledger (./run.sh privacy ledger verify)");
            var shared = scope.CountShared(spent);
            if (shared == 0) continue;
            var runs = charged.Distinct().ToList();
            if (declaredPublic)
            {
                log.WriteLine(
                    $"pretrain: {shared} of these examples were used privately by run(s) {string.Join(", ", runs)}; " +
                    $"used here without DP because veil.data.public = true declares them public");
                continue;
            }
            throw new PrivateRunRefusedException(
                $"pretrain would train without DP on {shared} examples that the ledger " +
                $"{store.Location} holds as private (used by run(s) {string.Join(", ", runs)}): " +
                "their owners were promised differential privacy. Pre-train on other data (e.g. " +
                "another veil.public split), or, only if this data really is public, set veil.data.public = true");
        }
        return (scope, key);
    }
}
