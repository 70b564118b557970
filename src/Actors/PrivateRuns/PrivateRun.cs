using System.Globalization;
using Veil.Actors.Configuration;
using Veil.Actors.Training;
using Veil.Ledger.Accountants;
using Veil.Ledger.Budget;
using Veil.Ledger.Events;
using Veil.Ledger.Scopes;
using Veil.Ledger.Store;

namespace Veil.Actors.PrivateRuns;

/// <summary>
/// The one lifecycle of every mode that touches private data (DP-SGD, resume, cluster coordinator, last-layer
/// fits, audits, accuracy benchmarks): a mode describes its data and its planned releases; this alone opens the
/// configured ledger (SQLite or PostgreSQL) and verifies it, binds the example identity key, resolves the run's
/// data scope and stores it, refuses a scope that shares examples with the public data it builds on, checks the
/// whole plan against the budget of the worst example in scope, draws the private randomness into secrets/, and
/// creates the run folder with the mode's plan in it. A mode then only runs its mechanism, spending through
/// <see cref="Guard"/> with <see cref="AsRecorded"/> events under <see cref="ScopeKey"/>, and reports.
/// </summary>
public sealed class PrivateRun : IDisposable
{
    private PrivateRun(PrivacySettings privacy, ILedgerStore store, IPrivacyAccountant accountant, BudgetGuard guard, ExampleIdentityKey key,
        DataScope scope, RunSecrets secrets, RunFolder run, PriorReleases prior)
    {
        Privacy = privacy;
        Store = store;
        Accountant = accountant;
        Guard = guard;
        IdentityKey = key;
        Scope = scope;
        Secrets = secrets;
        Run = run;
        PriorReleases = prior;
    }

    public PrivacySettings Privacy { get; }

    public ILedgerStore Store { get; }

    public IPrivacyAccountant Accountant { get; }

    public BudgetGuard Guard { get; }

    public ExampleIdentityKey IdentityKey { get; }

    /// <summary>The examples this run may sample from; its ledger records are keyed by <see cref="ScopeKey"/>.</summary>
    public DataScope Scope { get; }

    public string ScopeKey => Scope.Id;

    public RunSecrets Secrets { get; }

    public RunFolder Run { get; }

    /// <summary>The run's steps already in the ledger (a resumed run): their re-releases draw fresh randomness.</summary>
    public PriorReleases PriorReleases { get; }

    /// <summary>Where the ledger is, for messages and run files.</summary>
    public string LedgerLocation => Store.Location;

    /// <summary>The event as the ledger must hold it: an insecure run's releases are marked so that every ε including them is ∞.</summary>
    public DpEvent AsRecorded(DpEvent dpEvent) => Secrets.Insecure ? new InsecureRandomness(dpEvent) : dpEvent;

    /// <summary>The ε the worst example of this run's scope has spent (every run that touched it), from the ledger.</summary>
    public DatasetSpending Spent() => Guard.Spent(ScopeKey);

    /// <summary>This run's own releases: how many the ledger holds, and their ε composed alone (what an audit of this one run is measured against).</summary>
    public (PrivacySpent Epsilon, long Events) OwnReleases()
    {
        var events = Store.ReadAll().Where(r => r.RunId == Run.Id).Select(r => r.Event).ToList();
        var epsilon = events.Count == 0 ? new PrivacySpent(0, Privacy.BudgetDelta, Accountant.Name, null) : Accountant.Epsilon(events, Privacy.BudgetDelta);
        return (epsilon, events.Count);
    }

    /// <summary>Opens a new private run; nothing is released and nothing is created if it is refused.</summary>
    public static PrivateRun Open(PrivateRunRequest request, TextWriter log)
    {
        var privacy = Normalise(request.Privacy, request.LedgerOverride);
        var store = OpenVerified(privacy);
        try
        {
            var accountant = LedgerAccountant.Bind(store, privacy.Accountant);
            var key = BindKey(store, privacy, request.RunsDirectory);
            var (scope, examples, owners) = ScopeOf(request.Data, key);
            RefuseShared(scope, request.Data, key);
            var guard = new BudgetGuard(store, accountant, new Ledger.Budget.PrivacyBudget(privacy.BudgetEpsilon, privacy.BudgetDelta));
            if (owners is not null && guard.CheckOwnersCharged(examples, owners) is { } uncovered)
                throw new PrivateRunRefusedException($"not starting a user-level run: {uncovered}");
            store.PutScope(scope);
            var users = owners?.Distinct().Count() ?? 0;
            var secrets = RunSecrets.Draw(request.PublicSeed, request.InsecurePrivateSeed);
            if (secrets.Insecure)
                log.WriteLine(
                    "WARNING: veil.run.insecure-private-seed is set: this run's sampling and noise keys are guessable, so its releases are recorded " +
                              "as INSECURE and every ε that includes them is ∞. Use it only for tests and debugging, on a throw-away ledger.");
            else if (request.PublicSeed != 0)
                log.WriteLine(
                    $"veil.run.seed = {request.PublicSeed} fixes only public randomness (augmentation draws); this run's sampling and noise keys come from " +
                              "the OS CSPRNG and stay in secrets/. For bit-for-bit reproducible private randomness (tests, debugging) set " +
                              "veil.run.insecure-private-seed instead: every ε that includes such a run is reported as ∞.");
            if (!secrets.Insecure && request.PlannedReleases is { } planned && guard.CheckPlanned(scope.Id, planned) is { } refusal)
                throw new TrainingFailedException($"not starting: {refusal}");
            var run = RunFolder.Create(request.RunsDirectory, folder =>
            {
                secrets.Save(folder);
                var (_, password) = LedgerStoreFactory.SplitPassword(privacy);
                if (password is not null) folder.WriteSecret(LedgerPasswordFile, password);
                request.WriteRunFiles(folder, new OpenedRun(
                    LedgerStoreFactory.Describe(privacy), scope.Id, scope.Count - users, secrets.Insecure, accountant.Name, users));
            });
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"private run {run.Id}: {scope.Count - users} distinct examples{(users > 0 ? $" and {users} users" : "")} in scope {scope.Id[..18]} " +
                $"({request.Data.Description}); ledger {LedgerStoreFactory.Describe(privacy)}"));
            return new PrivateRun(privacy, store, accountant, guard, key, scope, secrets, run, PriorReleases.None);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reopens a run from its folder: the same ledger (verified), key, secrets and data (its scope must be the one
    /// the run started with), and what the ledger already holds of it, so re-released steps draw afresh.
    /// </summary>
    public static PrivateRun Resume(string runPath, PrivacySettings savedPrivacy, string runsDirectory, IPrivateData data, string expectedScopeKey)
    {
        var privacy = SavedPrivacy(savedPrivacy, runPath);
        var store = OpenVerified(privacy);
        try
        {
            // A resumed run is judged as the ledger is now: its plan is frozen, and the ledger may have been bound since it started.
            var accountant = LedgerAccountant.Bind(store, store.BoundAccountant() is null ? privacy.Accountant : LedgerAccountant.FromLedger);
            var key = BindKey(store, privacy, runsDirectory);
            var run = RunFolder.Open(runPath);
            var (scope, _, _) = ScopeOf(data, key);
            if (scope.Id != expectedScopeKey)
                throw new TrainingFailedException(
                    $"the training data changed since run {run.Id} started (scope {scope.Id[..18]} ≠ " +
                    $"{expectedScopeKey[..Math.Min(18, expectedScopeKey.Length)]}); refusing to resume on different data");
            RefuseShared(scope, data, key);
            var guard = new BudgetGuard(store, accountant, new Ledger.Budget.PrivacyBudget(privacy.BudgetEpsilon, privacy.BudgetDelta));
            return new PrivateRun(privacy, store, accountant, guard, key, scope, RunSecrets.Load(runPath), run, PriorReleases.Of(store.ReadAll(), run.Id));
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public void Dispose() => Store.Dispose();

    private const string LedgerPasswordFile = "ledger-password";

    internal static PrivacySettings Normalise(PrivacySettings p, string? ledgerOverride)
    {
        // An override (the demo's, or public data's fresh ledger) is always a SQLite file.
        if (ledgerOverride is not null) p = p with { LedgerBackend = LedgerBackends.Sqlite, LedgerPath = ledgerOverride, IdentityKey = "" };
        return p.LedgerBackend != LedgerBackends.Postgres ? p with { LedgerPath = Path.GetFullPath(p.LedgerPath) } : p;
    }

    /// <summary>The run's privacy settings as saved, with a kept-apart password put back.</summary>
    internal static PrivacySettings SavedPrivacy(PrivacySettings saved, string runPath)
    {
        if (saved.LedgerBackend != LedgerBackends.Postgres) return saved with { LedgerBackend = LedgerBackends.Sqlite };
        var passwordFile = Path.Combine(runPath, "secrets", LedgerPasswordFile);
        return File.Exists(passwordFile) ? LedgerStoreFactory.WithPassword(saved, File.ReadAllText(passwordFile)) : saved;
    }

    private static ILedgerStore OpenVerified(PrivacySettings privacy)
    {
        var store = LedgerStoreFactory.Open(privacy);
        var verification = store.Verify();
        if (verification.Valid) return store;
        store.Dispose();
        throw new TrainingFailedException(
            $"ledger {LedgerStoreFactory.Describe(privacy)} fails verification at record {verification.FirstBadSequence}: {verification.Reason}. " +
                                          "Refusing to spend privacy on a ledger that cannot be trusted.");
    }

    /// <summary>The ledger's example identity key, refused when the ledger was bound to another key.</summary>
    internal static ExampleIdentityKey BindKey(ILedgerStore store, PrivacySettings privacy, string runsDirectory)
    {
        var path = LedgerStoreFactory.IdentityKeyPath(privacy, runsDirectory);
        var key = ExampleIdentityKey.LoadOrCreate(path);
        ExampleIdentityKey.RequireMatches(store, key, path);
        return key;
    }

    /// <summary>The run's scope: its examples, and in a user-level run their owners too (a user is charged like an example).</summary>
    private static (DataScope Scope, IReadOnlyList<ulong> Examples, IReadOnlyList<ulong>? Owners) ScopeOf(IPrivateData data, ExampleIdentityKey key)
    {
        var examples = data.Identities(key);
        var owners = data.OwnerIdentities(key);
        return (DataScope.Of(owners is null ? examples : examples.Concat(owners)), examples, owners);
    }

    private static void RefuseShared(DataScope scope, IPrivateData data, ExampleIdentityKey key)
    {
        foreach (var backbone in data.PublicBackbones)
        {
            var shared = scope.CountShared(BackboneScope.Load(backbone, key));
            if (shared > 0)
                throw new PrivateRunRefusedException(
                    $"the backbone in {backbone} was trained without DP on {shared} of the " +
                    $"{scope.Count} examples of this run's private data ({data.Description}): " +
                    "they already leaked through its weights. Pre-train on data disjoint from the private set (veil.public.split = subset or classes, " +
                    "with the same seed and size for pretrain and train), or train without the backbone.");
        }
    }
}
