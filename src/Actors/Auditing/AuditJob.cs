using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Configuration;
using ConfigurationException = Veil.Actors.Configuration.ConfigurationException;
using Veil.Actors.Configuration;
using Veil.Actors.Scattering;
using Veil.Actors.Training;
using Veil.Compute.Evaluation;
using Veil.Compute.Models;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Idx;
using Veil.DataLoading.Ownership;
using Veil.DataLoading.Sources;
using Veil.Ledger.Auditing;
using Veil.Ledger.Plan;

namespace Veil.Actors.Auditing;

/// <summary>
/// One audited DP-SGD run (docs/privacy-audit.md): canaries drawn from the configured Fashion-MNIST training
/// data, the audited training set written as IDX files under runs/audits/&lt;stamp&gt;/data, one ordinary
/// <see cref="TrainingJob"/> on it, charged to the configured ledger like any run on this data (the canaries are
/// the same examples under wrong labels, so the same records), or, for data declared public (veil.data.public),
/// on a fresh ledger of its own; then each canary's loss on its wrong label under the released parameters, the
/// guesses, and the lower bound against the audited run's own ε. The data copy is deleted afterwards.
/// With veil.privacy.unit = user the canaries are users (<see cref="CanaryPlan.DrawUsers"/>), the audited run is user-level
/// (its owners written beside the data as a manifest by index), each user is scored by their examples' mean loss, and the bound
/// is a user-level one.
/// </summary>
public static class AuditJob
{
    public static AuditResult Run(Config config, TextWriter log, ProgressLine progress)
    {
        var clock = Stopwatch.StartNew();
        var audit = AuditSettings.Create(config);
        var training = TrainingSettings.Create(config);
        Refuse(config, training);
        var privacy = PrivacySettings.Create(config);
        // The audit's run folder lies under runs/audits/: the identity key must still be the ledger's own.
        privacy = privacy with { IdentityKey = LedgerStoreFactory.IdentityKeyPath(privacy, training.RunDirectory) };

        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6];
        var folder = Path.GetFullPath(Path.Combine(training.RunDirectory, "audits", stamp));
        var data = Path.Combine(folder, "data");
        var userLevel = privacy.Unit == PrivacyUnit.User;
        var (plan, canaries, poolSize, trainingExamples) = WriteAuditedData(training, audit, data, userLevel);
        var units = plan.CanaryUser is null ? plan.Count : plan.CanaryUser.Distinct().Count();
        var unitIncluded = UnitsIncluded(plan);
        string? ledger = training.DataPublic ? Path.Combine(folder, "ledger.sqlite") : null;
        var charged = ledger is null
            ? $"charged to the configured ledger ({LedgerStoreFactory.Describe(privacy)}): an audit spends privacy like any run"
            : $"data declared public (veil.data.public): fresh ledger {ledger}";
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"audit: {units} canar{(userLevel ? $"y users ({plan.Count} examples)" : "ies")} of {poolSize} examples (seed {plan.Seed}), " +
            $"{unitIncluded.Count(x => x)} included with wrong labels: {trainingExamples} training examples; {charged}"));

        TrainingResult run;
        try
        {
            var audited = training with
            {
                DataPath = data, TrainExamples = 0, RunDirectory = folder,
                Owners = userLevel ? new OwnershipSettings("manifest", Path.Combine(data, OwnersFile), FolderLayout.Class, 1, 0) : training.Owners,
            };
            run = TrainingJob.Start(audited, privacy, CheckpointSettings.Create(config), ChaosSettings.Create(config), TelemetrySettings.Create(config),
                log, ledger, progress);
        }
        finally
        {
            TryDelete(data);
        }

        var losses = PerUnit(CanaryLosses(training, canaries, run), plan);
        var guesses = MembershipGuesses.Score(losses, unitIncluded, audit.GuessesIn, audit.GuessesOut);
        var bound = OneRunAudit.LowerBound(guesses.Counts, run.Delta, audit.Beta);
        var result = new AuditResult(units, guesses.Included, guesses.Counts.Guesses, guesses.Counts.Correct,
            guesses.GuessedIn, guesses.RightIn, guesses.GuessedOut, guesses.RightOut,
            audit.Beta, run.RunEpsilon, run.Delta, run.Accountant, bound.Epsilon, bound.PValue,
            Mean(losses, unitIncluded, true), Mean(losses, unitIncluded, false),
            run.TestAccuracy, run.Steps, run.NoiseMultiplier, run.SamplingRate, trainingExamples,
            plan.Seed, folder, run.RunDirectory, run.LedgerPath, clock.Elapsed.TotalSeconds, run.Epsilon, training.DataPublic, run.PrivacyUnit);
        File.WriteAllText(
            Path.Combine(folder, "audit.json"),
            JsonSerializer.Serialize(
                result,
                new JsonSerializerOptions
                {
                    WriteIndented = true,
                    NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
                }));
        return result;
    }

    // The released parameters (runs/<id>/parameters.f32), and each canary's cross-entropy on its wrong label.
    private static double[] CanaryLosses(TrainingSettings t, ImageDataset canaries, TrainingResult run)
    {
        var parameters = RunFolder.ReadFloats(Path.Combine(run.RunDirectory, "parameters.f32"));
        var batch = new MicroBatchDecoder(canaries, PixelNormalization.FashionMnist)
            .Decode(new MicroBatchSpec(new MicroBatchId(-1, 0), Enumerable.Range(0, canaries.Count).ToArray()));
        using var model = new RunModels(t, canaries.Classes, run.DatasetFingerprint).Create(t.InitSeed);
        // A scatternet model was trained on the canaries' scattering features, so it is scored on them too.
        var inputs = ScatterNetInput.IsTakenBy(t.Model) ? ScatterNetRunFeatures.Inputs(t, canaries) : batch.Inputs;
        return ExampleLosses.Of(model, parameters, inputs, batch.Labels, batch.Count, t.Runtime.EvalBatchSize);
    }

    /// <summary>
    /// Draws the canaries from the configured data and writes the four IDX files the run reads (uncompressed:
    /// written and read once). Returns only what scoring needs, so the splits are not kept alive through training.
    /// </summary>
    private const string OwnersFile = "owners.jsonl";

    // A canary user is one unit: guessed on the mean loss of their examples, in or out as a whole.
    private static double[] PerUnit(double[] losses, CanaryPlan plan) => plan.CanaryUser is not { } user
        ? losses
        : Enumerable.Range(0, losses.Length).GroupBy(c => user[c]).OrderBy(g => g.Key).Select(g => g.Average(c => losses[c])).ToArray();

    private static bool[] UnitsIncluded(CanaryPlan plan) => plan.CanaryUser is not { } user
        ? plan.Included.ToArray()
        : Enumerable.Range(0, plan.Count).GroupBy(c => user[c]).OrderBy(g => g.Key).Select(g => plan.Included[g.First()]).ToArray();

    private static ExampleOwners PoolOwners(OwnershipSettings o, ImageDataset pool) => o.From switch
    {
        "synthetic" => SyntheticOwners.Assign(pool.Count, o.SyntheticUsers, o.SyntheticSeed),
        "manifest" => OwnerManifest.Read(o.Manifest, pool.Count, files: null),
        _ => throw new ConfigurationException(
            "veil.privacy.unit = user: a user-level audit draws canary users, so it needs owners (veil.data.owners.from = synthetic or manifest)"),
    };

    private static (CanaryPlan Plan, ImageDataset Canaries, int PoolSize, int TrainingExamples) WriteAuditedData(
        TrainingSettings t, AuditSettings audit, string folder, bool userLevel)
    {
        var splits = FashionMnist.Load(string.IsNullOrWhiteSpace(t.DataPath) ? null : t.DataPath);
        var pool = t.TrainExamples > 0 ? DatasetSubset.First(splits.Train, t.TrainExamples) : splits.Train;
        CanaryPlan plan;
        var owners = userLevel ? PoolOwners(t.Ownership, pool) : null;
        try
        {
            plan = owners is null ? CanaryPlan.Draw(pool, audit.Canaries, audit.Seed) : CanaryPlan.DrawUsers(pool, owners, audit.Canaries, audit.Seed);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(e.Message);
        }
        Directory.CreateDirectory(folder);
        var train = plan.TrainingSet(pool);
        IdxWriter.WriteDataset(train, Path.Combine(folder, "train-images-idx3-ubyte"), Path.Combine(folder, "train-labels-idx1-ubyte"));
        IdxWriter.WriteDataset(splits.Test, Path.Combine(folder, "t10k-images-idx3-ubyte"), Path.Combine(folder, "t10k-labels-idx1-ubyte"));
        if (owners is not null)
            File.WriteAllLines(Path.Combine(folder, OwnersFile), plan.Kept().Select((i, k) =>
                JsonSerializer.Serialize(new Dictionary<string, object> { ["index"] = k, ["user"] = owners.UserId(owners.UserOf(i)) })));
        return (plan, plan.Canaries(pool), pool.Count, train.Count);
    }

    private static double Mean(double[] losses, IReadOnlyList<bool> included, bool which)
    {
        var chosen = losses.Where((_, i) => included[i] == which).ToArray();
        return chosen.Length == 0 ? double.NaN : chosen.Average();
    }

    private static void Refuse(Config config, TrainingSettings t)
    {
        if (ClusterSettings.Create(config).Enabled)
            throw new ConfigurationException(
                "veil.cluster.enabled = true: the audit runs on one node; set it to false (the pipeline's mathematics are the same)");
        if (LastLayerSettings.Mode(config) is var mode && mode != RunMode.DpSgd)
            throw new ConfigurationException(
                $"veil.mode = {ConfigChoice.Word(mode, LastLayerSettings.Modes)}: the audit covers DP-SGD training; set veil.mode = dp-sgd");
        if (t.UsesImageSource)
            throw new ConfigurationException(
                "veil.data.source is set: the audit draws its canaries from the Fashion-MNIST IDX files (veil.data.path); clear veil.data.source");
        if (t.PublicSplit.Enabled)
            throw new ConfigurationException(
                $"veil.public.split = {t.PublicSplit.Split}: the audit trains on the whole training split; " +
                $"set veil.public.split = none (use veil.data.train-examples for a smaller run)");
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
