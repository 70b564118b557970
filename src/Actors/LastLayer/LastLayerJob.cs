using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Veil.Actors.Configuration;
using Veil.Actors.PrivateRuns;
using Veil.Actors.Training;
using Veil.Compute.LastLayer;
using Veil.Compute.Noise;
using Veil.Compute.Runtime;
using Veil.Ledger.Accountants;
using Veil.Ledger.Accountants.Calibration;
using Veil.Ledger.Budget;
using Veil.Ledger.Store;

namespace Veil.Actors.LastLayer;

/// <summary>
/// One private last-layer run (veil.mode = last-layer): features from the configured source → clipped rows →
/// the releases the method will make, their σ's calibrated together for the target ε → the whole plan checked
/// against the dataset's budget (refused before any release) → the mechanism, each release committed to the
/// ledger before its noisy statistic is drawn or used → test accuracy → runs/&lt;id&gt;/. ε in the result is
/// read back from the ledger.
/// </summary>
public static class LastLayerJob
{
    public static LastLayerResult Start(LastLayerSettings settings, TrainingSettings t, PrivacySettings p, TextWriter log, string? ledgerPathOverride = null)
    {
        var clock = Stopwatch.StartNew();
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(t.Runtime.ThreadsPerWorker > 0 ? t.Runtime.ThreadsPerWorker : Math.Max(1, Environment.ProcessorCount));
        var options = settings.Options();
        var source = FeatureSources.Open(settings, t);
        var train = options.FeatureMap.Apply(source.Train());
        var test = options.FeatureMap.Apply(source.Test());
        var featureSeconds = clock.Elapsed.TotalSeconds;

        var accountant = AccountantCatalog.Create(p.Accountant);
        var shares = LastLayerReleases.Plan(options, settings.Split(), train.Rows);
        var noise = settings.NoiseScale > 0
            ? Fixed(accountant, shares, settings.NoiseScale, p.BudgetDelta)
            : SplitCalibration.Calibrate(accountant, settings.TargetEpsilon, p.BudgetDelta, shares, relativeTolerance: 1e-5);
        var planned = SplitCalibration.Planned(shares, noise.NoiseMultipliers);
        var backbones = settings.Features is "pixels" or "scatternet" ? Array.Empty<string>() : [settings.Features];
        // A selection run trains on public examples only: its releases go to a ledger of its own, never the private set's.
        var tuning = (source as ScatterNetFeatureSource)?.PublicTuning;
        using var data = tuning is null ? RunData.Load(t) : null;
        IPrivateData examples = tuning is null ? new RunPrivateData(data!, backbones) : tuning;
        var ledgerPath = tuning is null ? ledgerPathOverride : ledgerPathOverride ?? SelectionLedger(t);
        using var privateRun = PrivateRun.Open(new PrivateRunRequest(
            p, ledgerPath, t.RunDirectory, examples, planned, t.Seed, t.InsecurePrivateSeed,
            (folder, opened) => folder.WriteJson("plan.json", new
            {
                run_id = folder.Id, mode = "last-layer", method = settings.Method, features = source.Description, features_fingerprint = source.Fingerprint,
                dataset_fingerprint = train.DatasetFingerprint, dataset_size = train.Rows, data_scope = opened.ScopeKey, scope_examples = opened.ScopeExamples,
                privacy_unit = "example", insecure_private_randomness = opened.Insecure, dimension = train.Columns, classes = train.Classes,
                feature_clip = settings.FeatureClip, bias_feature = settings.BiasFeature, regularisation = settings.Regularisation,
                target_epsilon = settings.TargetEpsilon, planned_epsilon = noise.Epsilon, delta = p.BudgetDelta, accountant = accountant.Name,
                noise_scale = noise.Scale, ledger = opened.Ledger, settings,
                releases = shares.Select(s => new
                {
                    name = s.Name, weight = s.Weight, count = s.Count, sampling_rate = s.SamplingRate,
                    noise_multiplier = noise[s.Name], sensitivity = LastLayerReleases.Sensitivity(s.Name, options),
                    noise_std = noise[s.Name] * LastLayerReleases.Sensitivity(s.Name, options),
                }).ToArray(),
            })), log);
        if ((data?.Count ?? tuning!.Count) != train.Rows)
            throw new TrainingFailedException(
                $"the feature source holds {train.Rows} examples but the run's scope holds {data?.Count ?? tuning!.Count}; " +
                $"refusing to release from features whose examples are not the run's scope");
        var run = privateRun.Run;
        ledgerPath = privateRun.LedgerLocation;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"run {run.Id}: last layer by {settings.Method} on {source.Description} → " +
            $"{train.Columns} columns (C_x = {settings.FeatureClip}, b = {settings.BiasFeature}), " +
            $"{train.Rows} private examples ({train.DatasetFingerprint[..12]}); " +
            $"planned ε = {noise.Epsilon:F4} at δ = {p.BudgetDelta:G3} ({accountant.Name}); " +
            $"σ: {string.Join(", ", noise.NoiseMultipliers.Select(kv => $"{kv.Key} {kv.Value:G5}"))}; ledger {ledgerPath}"));

        var gate = new LedgerReleaseGate(privateRun, (name, epsilon) => Telemetry.VeilTelemetry.PrivacySpent(epsilon, p.BudgetDelta));
        var fitClock = Stopwatch.StartNew();
        long reported = -1;
        var head = LastLayerTrainer.Fit(train, options, noise.NoiseMultipliers, gate, privateRun.Secrets.Noise, (step, total) =>
        {
            var tenth = (step + 1) * 10 / Math.Max(1, total);
            if (tenth == reported) return;
            reported = tenth;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step + 1}/{total}  {fitClock.Elapsed.TotalSeconds:F1} s"));
        });
        var fitSeconds = fitClock.Elapsed.TotalSeconds;
        var accuracy = head.Accuracy(test);
        var spent = privateRun.Spent();
        WriteHead(run, head);
        var result = new LastLayerResult(run.Id, run.Path, ledgerPath, train.DatasetFingerprint, settings.Method, source.Description,
            accuracy, spent.Epsilon, spent.Delta, spent.Accountant, noise.Epsilon, noise.NoiseMultipliers, noise.Scale, gate.Releases,
            train.Rows, test.Rows, train.Columns, featureSeconds, fitSeconds, clock.Elapsed.TotalSeconds, privateRun.ScopeKey, privateRun.Secrets.Insecure,
            ValidationExamples: tuning is null ? 0 : test.Rows);
        run.WriteJson("result.json", result);
        return result;
    }

    private static string SelectionLedger(TrainingSettings t) => Path.Combine(
        t.RunDirectory, "selection-ledgers", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture) + ".sqlite");

    private static SplitNoise Fixed(IPrivacyAccountant accountant, IReadOnlyList<ReleaseShare> shares, double scale, double delta)
    {
        var sigmas = SplitCalibration.MultipliersAt(shares, scale);
        var epsilon = accountant.Epsilon([SplitCalibration.Planned(shares, sigmas)], delta).Epsilon;
        return new SplitNoise(sigmas, scale, epsilon, delta, accountant.Name);
    }

    /// <summary>head.f64: Dimension × Classes little-endian doubles, row-major (rows are features, the bias last when present).</summary>
    private static void WriteHead(RunFolder run, LinearHead head)
    {
        using var stream = File.Create(run.File("head.f64"));
        stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(head.Weights.AsSpan()));
        run.WriteJson(
            "head.json",
            new { file = "head.f64", dtype = "float64", rows = head.Dimension, columns = head.Classes, layout = "row-major: features (bias last) × classes" });
    }
}
