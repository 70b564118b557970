using System.Diagnostics;
using System.Globalization;
using Veil.Actors.Configuration;
using Veil.Actors.PrivateRuns;
using Veil.Actors.Training;
using Veil.Compute.LastLayer;
using Veil.Compute.Runtime;
using Veil.Ledger.Accountants;
using Veil.Ledger.Accountants.Calibration;
using Veil.Ledger.Plan;

namespace Veil.Actors.LastLayer;

/// <summary>
/// One private last-layer run (veil.mode = last-layer): the releases the method will make for the data's size, their σ's
/// calibrated together for the target ε (the frozen <see cref="ReleasePlan"/>) → the private-run lifecycle (scope, overlap
/// with a backbone's public data, the whole plan against the budget; refused before any feature or release) → features
/// from the configured source → clipped rows → the mechanism, each release committed to the ledger before its noisy
/// statistic is drawn or used → test accuracy → runs/&lt;id&gt;/. ε in the result is read back from the ledger.
/// </summary>
public static class LastLayerJob
{
    public static LastLayerResult Start(LastLayerSettings settings, TrainingSettings t, PrivacySettings p, TextWriter log, string? ledgerPathOverride = null)
    {
        if (p.Unit == PrivacyUnit.User)
            throw new ConfigurationException(
                "veil.privacy.unit = user applies to DP-SGD (veil.mode = dp-sgd): a last-layer fit's releases (XᵀX, Xᵀy, gradients) are " +
                "bounded per example, not per user; set veil.privacy.unit = example, or train user-level with veil.mode = dp-sgd");
        var clock = Stopwatch.StartNew();
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(t.Runtime.ThreadsPerWorker > 0 ? t.Runtime.ThreadsPerWorker : Math.Max(1, Environment.ProcessorCount));
        var options = settings.Options();
        FeatureSources.Check(settings);
        // Scattering computes nothing until asked; a selection run's examples are public ones, charged to a ledger of its own.
        var scatter = settings.Features == "scatternet" ? (ScatterNetFeatureSource)FeatureSources.Open(settings, t) : null;
        var tuning = scatter?.PublicTuning;
        using var data = tuning is null ? RunData.Load(t) : null;
        IPrivateData examples = tuning is null ? new RunPrivateData(data!, settings.Features is "pixels" or "scatternet" ? [] : [settings.Features]) : tuning;
        var (count, fingerprint) = tuning is null ? (data!.Count, data.Fingerprint) : (tuning.Count, tuning.Fingerprint);

        var ledgerOverride = tuning is null ? ledgerPathOverride : ledgerPathOverride ?? SelectionLedger(t);
        p = LedgerAccountant.Pin(p, ledgerOverride);
        var accountant = AccountantCatalog.Create(p.Accountant);
        var shares = LastLayerReleases.Plan(options, settings.Split(), count);
        var noise = settings.NoiseScale > 0
            ? Fixed(accountant, shares, settings.NoiseScale, p.BudgetDelta)
            : SplitCalibration.Calibrate(accountant, settings.TargetEpsilon, p.BudgetDelta, shares, relativeTolerance: 1e-5);
        var plan = new ReleasePlan(
            shares.Select(s => new PlannedRelease(
                s.Name, s.Count, s.SamplingRate, noise[s.Name], LastLayerReleases.Sensitivity(s.Name, options), s.Weight)).ToArray(),
            p.BudgetDelta, fingerprint, count);
        using var privateRun = PrivateRun.Open(new PrivateRunRequest(
            p, ledgerOverride, t.RunDirectory, examples, plan.Event, t.Seed,
            t.InsecurePrivateSeed,
            (folder, opened) => folder.WriteJson(LastLayerPlanFile.FileName,
                LastLayerPlanFile.Of(folder.Id, plan, opened, settings, noise.Epsilon, noise.Scale))), log);

        // Only once the scope is checked against the backbone's public data and the budget: the features of the examples.
        var featureClock = Stopwatch.StartNew();
        var source = scatter ?? FeatureSources.Open(settings, t, data);
        var train = options.FeatureMap.Apply(source.Train());
        var test = options.FeatureMap.Apply(source.Test());
        var featureSeconds = featureClock.Elapsed.TotalSeconds;
        if (train.DatasetFingerprint != plan.DatasetFingerprint || train.Rows != plan.DatasetSize)
            throw new TrainingFailedException(
                $"the feature source holds {train.Rows} examples ({train.DatasetFingerprint[..12]}) but the plan was made for " +
                $"{plan.DatasetSize} ({plan.DatasetFingerprint[..12]}); refusing to release from features whose examples are not the run's scope");
        var run = privateRun.Run;
        var ledgerPath = privateRun.LedgerLocation;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"run {run.Id}: last layer by {settings.Method} on {source.Description} → " +
            $"{train.Columns} columns (C_x = {settings.FeatureClip}, b = {settings.BiasFeature}), " +
            $"{train.Rows} {(tuning is null ? "private" : "PUBLIC")} examples ({train.DatasetFingerprint[..12]}); " +
            $"planned ε = {noise.Epsilon:F4} at δ = {p.BudgetDelta:G3} ({accountant.Name}); " +
            $"σ: {string.Join(", ", noise.NoiseMultipliers.Select(kv => $"{kv.Key} {kv.Value:G5}"))}; ledger {ledgerPath}"));

        var gate = new LedgerReleaseGate(privateRun, (name, epsilon) => Telemetry.VeilTelemetry.PrivacySpent(epsilon, p.BudgetDelta));
        var fitClock = Stopwatch.StartNew();
        long reported = -1;
        var head = LastLayerTrainer.Fit(train, options, plan.NoiseMultipliers, gate, privateRun.Secrets.Noise, (step, total) =>
        {
            var tenth = (step + 1) * 10 / Math.Max(1, total);
            if (tenth == reported) return;
            reported = tenth;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step + 1}/{total}  {fitClock.Elapsed.TotalSeconds:F1} s"));
        });
        var fitSeconds = fitClock.Elapsed.TotalSeconds;
        var accuracy = head.Accuracy(test, averageViews: test.OtherViews.Count > 0);
        // Both figures from one head: a selection run compares scoring with and without the other views at no extra fit.
        if (test.OtherViews.Count > 0)
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(tuning is null ? "test" : "validation")} accuracy {accuracy:P2} averaged over each example's views, {head.Accuracy(test):P2} without"));
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
