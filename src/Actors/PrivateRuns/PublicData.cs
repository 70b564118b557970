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
        var keyPath = LedgerStoreFactory.IdentityKeyPath(privacy, runsDirectory);
        var key = ExampleIdentityKey.LoadOrCreate(keyPath);
        var scope = DataScope.Of(ExampleIdentities.Of(key, data));
        if (privacy.LedgerBackend != LedgerBackends.Postgres && !File.Exists(Path.GetFullPath(privacy.LedgerPath)))
            return (scope, key); // no ledger yet: nothing is private so far
        using var store = LedgerStoreFactory.Open(privacy, createIfMissing: false);
        ExampleIdentityKey.RequireMatches(store, key, keyPath);
        var privateScopes = store.ReadAll().Select(r => r.DatasetFingerprint).Where(DataScope.IsScopeKey).Distinct().ToList();
        foreach (var id in privateScopes)
        {
            var spent = store.ReadScope(id) ?? throw new LedgerException(
                $"ledger {store.Location} charges scope {id[..18]} but does not hold it; verify the ledger (./run.sh privacy ledger verify)");
            var shared = scope.CountShared(spent);
            if (shared == 0) continue;
            var runs = store.ReadAll().Where(r => r.DatasetFingerprint == id).Select(r => r.RunId).Distinct().ToList();
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
