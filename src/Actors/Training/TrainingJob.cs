using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Veil.Actors.Chaos;
using Veil.Actors.Checkpoints;
using Veil.Actors.Configuration;
using Veil.Actors.Pipeline;
using Veil.Actors.PrivateRuns;
using Veil.Compute.Evaluation;
using Veil.Compute.Models;
using Veil.Compute.Noise;
using Veil.Compute.Optimizers;
using Veil.Compute.Parameters;
using Veil.Compute.Runtime;
using Veil.Compute.Transfer;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Prefetch;
using Veil.DataLoading.Sampling;
using Veil.Ledger.Accountants;
using Veil.Ledger.Accountants.Calibration;
using Veil.Ledger.Budget;
using Veil.Ledger.Events;
using Veil.Ledger.Plan;
using Veil.Ledger.Store;

namespace Veil.Actors.Training;

/// <summary>
/// One private training run, end to end: data → DpPlan (σ calibrated if asked) → budget check against
/// the ledger → the actor pipeline (checkpointing as it goes) → evaluation on the test split →
/// runs/&lt;id&gt;/. ε in the result is read back from the ledger, never from the plan. A run can be
/// resumed from its folder: the newest valid checkpoint, the same seeds, the same plan, and the
/// ledger saying how much was spent (steps released after the checkpoint count, and count again when redone).
/// </summary>
public static class TrainingJob
{
    public static TrainingResult Start(TrainingSettings t, PrivacySettings p, CheckpointSettings c, ChaosSettings chaos, TelemetrySettings telemetry, TextWriter log, string? ledgerPathOverride = null, ProgressLine? progress = null) =>
        RunLocally(PrepareStart(t, p, c, chaos, telemetry, log, ledgerPathOverride, progress));

    /// <summary>
    /// A new run, prepared but not started. With <paramref name="workSource"/> (cluster mode: given the run and
    /// the accumulator, the actor that farms the steps out) the pipeline has no local loader or workers.
    /// </summary>
    public static PreparedRun PrepareStart(TrainingSettings t, PrivacySettings p, CheckpointSettings c, ChaosSettings chaos, TelemetrySettings telemetry, TextWriter log,
        string? ledgerPathOverride = null, ProgressLine? progress = null, Func<WorkSourceContext, Props>? workSource = null)
    {
        PrepareTorch(t);
        var data = RunData.Load(t);
        try
        {
            var fingerprint = data.Fingerprint;
            var batch = Math.Min(t.ExpectedBatchSize, data.Count);
            var schedule = SamplingSchedule.FromEpochs(data.Count, batch, t.Epochs);
            var accountant = AccountantCatalog.Create(p.Accountant);
            var sigma = t.NoiseMultiplier > 0
                ? t.NoiseMultiplier
                : NoiseCalibration.Calibrate(accountant, t.TargetEpsilon, schedule, p.BudgetDelta, relativeTolerance: 1e-4).NoiseMultiplier;
            var plan = new DpPlan(schedule.SamplingRate, sigma, t.ClipNorm, schedule.Steps, p.BudgetDelta, fingerprint, data.Count);
            var models = new RunModels(t, data.ModelClasses, fingerprint);
            var backbones = t.Initialisation.FromBackbone ? new[] { t.Initialisation.From } : [];
            var privateRun = PrivateRun.Open(new PrivateRunRequest(p, ledgerPathOverride, t.RunDirectory, new RunPrivateData(data, backbones),
                new SelfComposed(plan.StepEvent, plan.Steps), t.Seed, t.InsecurePrivateSeed,
                (folder, opened) => WriteRunFiles(folder, opened, t, p, c, plan, data, models)), log);
            using var initialModel = models.Create(t.InitSeed);
            var initial = new ParameterSnapshot(0, ParameterVector.Flatten(initialModel));
            return Prepare(new RunState(t, c, privateRun, plan, data, initial, new float[initial.Values.Length], ResumedFromStep: null, models), chaos, telemetry, log, progress ?? new ProgressLine(log), workSource);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    private static void WriteRunFiles(RunFolder run, OpenedRun opened, TrainingSettings t, PrivacySettings p, CheckpointSettings c, DpPlan plan,
        RunData train, RunModels models)
    {
        var (shareable, _) = LedgerStoreFactory.SplitPassword(p);
        if (opened.Ledger != LedgerStoreFactory.Describe(shareable)) shareable = shareable with { LedgerBackend = LedgerBackends.Sqlite, LedgerPath = opened.Ledger, IdentityKey = "" };
        run.WriteJson(SavedRun.FileName, new SavedRun(t, shareable, c, opened.Ledger, SavedPlan.Of(plan), opened.ScopeKey));
        run.WriteJson("plan.json", new
        {
            run_id = run.Id, dataset = train.Description, dataset_fingerprint = plan.DatasetFingerprint, dataset_size = train.Count,
            data_scope = opened.ScopeKey, scope_examples = opened.ScopeExamples, privacy_unit = "example", insecure_private_randomness = opened.Insecure,
            sampling = "poisson", sampling_rate = plan.SamplingRate, noise_multiplier = plan.NoiseMultiplier, clip_norm = plan.ClipNorm,
            steps = plan.Steps, delta = plan.Delta, expected_batch_size = plan.ExpectedBatchSize, accountant = opened.Accountant,
            model = t.Model, weight_standardisation = t.WeightStandardisation, classes = models.Classes, backbone = models.BackboneFingerprint, init_from = t.Initialisation.From, trainable = t.Initialisation.Trainable,
            public_split = t.PublicSplit.Split, learning_rate = t.LearningRate, momentum = t.Momentum, schedule = t.Schedule, ledger = opened.Ledger,
        });
    }

    public static TrainingResult Resume(string runDirectory, ChaosSettings chaos, TelemetrySettings telemetry, TextWriter log, ProgressLine? progress = null) =>
        RunLocally(PrepareResume(runDirectory, chaos, telemetry, log, progress));

    /// <summary>A run resumed from its folder (newest valid checkpoint + the ledger), prepared but not started; see <see cref="PrepareStart"/>.</summary>
    public static PreparedRun PrepareResume(string runDirectory, ChaosSettings chaos, TelemetrySettings telemetry, TextWriter log, ProgressLine? progress = null,
        Func<WorkSourceContext, Props>? workSource = null)
    {
        var runPath = Path.GetFullPath(runDirectory);
        var saved = SavedRun.Read(runPath);
        var t = saved.Training;
        var plan = saved.Plan.ToPlan();
        if (saved.ScopeKey is null)
            throw new TrainingFailedException($"run {runPath} was started before the ledger charged examples by data scope; it cannot be resumed on this ledger without mixing the two keys. Start a new run (its ledger events so far still count)");
        PrepareTorch(t);
        var data = RunData.Load(t);
        PrivateRun? privateRun = null;
        try
        {
            if (data.Fingerprint != plan.DatasetFingerprint)
                throw new TrainingFailedException($"the training data changed since run {Path.GetFileName(runPath)} started (fingerprint {data.Fingerprint[..12]} ≠ {plan.DatasetFingerprint[..12]}); refusing to resume on different data");
            var models = new RunModels(t, data.ModelClasses, data.Fingerprint);
            var runId = Path.GetFileName(runPath.TrimEnd(Path.DirectorySeparatorChar));
            if (models.BackboneFingerprint is { } backbone)
            {
                using var planFile = JsonDocument.Parse(File.ReadAllText(Path.Combine(runPath, "plan.json")));
                if (planFile.RootElement.GetProperty("backbone").GetString() != backbone)
                    throw new TrainingFailedException($"the backbone {t.Initialisation.From} changed since run {runId} started (its frozen weights are part of the model); refusing to resume");
            }
            var backbones = t.Initialisation.FromBackbone ? new[] { t.Initialisation.From } : [];
            var checkpoint = LoadCheckpoint(runPath, saved, log);
            if (checkpoint is not null && saved.Privacy.LedgerBackend != LedgerBackends.Postgres && !File.Exists(saved.LedgerPath) && checkpoint.LedgerEventsOfRun > 0)
                throw new TrainingFailedException($"ledger {saved.LedgerPath} is gone, but the checkpoint after step {checkpoint.StepsApplied} says {checkpoint.LedgerEventsOfRun} releases were recorded in it: the privacy already spent is unknown. Refusing to resume; restore the ledger.");
            privateRun = PrivateRun.Resume(runPath, saved.Privacy with { LedgerPath = saved.LedgerPath }, t.RunDirectory, new RunPrivateData(data, backbones), saved.ScopeKey);
            var run = privateRun.Run;
            ParameterSnapshot initial;
            float[] velocity;
            if (checkpoint is null)
            {
                log.WriteLine($"resume: no valid checkpoint in {runPath}; starting run {run.Id} again from step 0 (its ledger events so far still count)");
                using var initialModel = models.Create(t.InitSeed);
                initial = new ParameterSnapshot(0, ParameterVector.Flatten(initialModel));
                velocity = new float[initial.Values.Length];
            }
            else
            {
                CheckMatches(checkpoint, run.Id, t, saved.Plan, privateRun.Secrets);
                initial = new ParameterSnapshot(checkpoint.ParameterVersion, checkpoint.Parameters);
                velocity = checkpoint.Velocity;
                var runEvents = privateRun.Store.ReadAll().LongCount(r => r.RunId == run.Id);
                if (runEvents < checkpoint.LedgerEventsOfRun)
                    throw new TrainingFailedException(
                        $"ledger {saved.LedgerPath} holds {runEvents} events of run {run.Id}, but its checkpoint after step {checkpoint.StepsApplied} recorded {checkpoint.LedgerEventsOfRun}: " +
                        "the ledger was replaced or truncated, so the privacy already spent is unknown. Refusing to resume; restore the ledger from a backup.");
                log.WriteLine($"resume: run {run.Id} from its checkpoint after {checkpoint.StepsApplied} of {plan.Steps} steps");
            }
            return Prepare(new RunState(t, saved.Checkpoint, privateRun, plan, data, initial, velocity, checkpoint?.StepsApplied ?? 0, models),
                chaos, telemetry, log, progress ?? new ProgressLine(log), workSource);
        }
        catch
        {
            privateRun?.Dispose();
            data.Dispose();
            throw;
        }
    }

    private static Checkpoint? LoadCheckpoint(string runPath, SavedRun saved, TextWriter log)
    {
        var (checkpoint, skipped) = new CheckpointStore(Path.Combine(runPath, "checkpoints"), saved.Checkpoint.Keep).LoadNewestValid();
        foreach (var s in skipped) log.WriteLine($"resume: skipping corrupt checkpoint: {s}");
        return checkpoint;
    }

    private sealed record RunState(TrainingSettings Training, CheckpointSettings Checkpoint, PrivateRun Private, DpPlan Plan, RunData Data,
        ParameterSnapshot Initial, float[] Velocity, long? ResumedFromStep, RunModels Models)
    {
        public RunFolder Run => Private.Run;

        public string LedgerPath => Private.LedgerLocation;

        public RunSecrets Secrets => Private.Secrets;
    }

    private static PreparedRun Prepare(RunState s, ChaosSettings chaos, TelemetrySettings telemetry, TextWriter log, ProgressLine progress, Func<WorkSourceContext, Props>? workSource)
    {
        var opened = new List<IDisposable> { s.Data };
        try
        {
            return Wire(s, chaos, telemetry, log, progress, workSource, opened);
        }
        catch
        {
            for (var i = opened.Count - 1; i >= 0; i--) opened[i].Dispose();
            throw;
        }
    }

    private static PreparedRun Wire(RunState s, ChaosSettings chaos, TelemetrySettings telemetry, TextWriter log, ProgressLine progress, Func<WorkSourceContext, Props>? workSource, List<IDisposable> opened)
    {
        var exporters = new Telemetry.TelemetryExporters(telemetry, s.Run.Id);
        opened.Add(exporters);
        var t = s.Training;
        var plan = s.Plan;
        var firstStep = s.ResumedFromStep ?? 0;
        opened.Add(s.Private);
        var store = s.Private.Store;
        var guard = s.Private.Guard;
        Telemetry.VeilTelemetry.ExpectedBatch(plan.ExpectedBatchSize);
        Telemetry.VeilTelemetry.PrivacySpent(s.Private.Spent().Epsilon, plan.Delta);
        var remaining = plan.Steps - firstStep;
        // A new run's whole plan was checked when it opened; a resumed one checks what is left of it.
        if (s.ResumedFromStep is not null && remaining > 0 && !s.Secrets.Insecure
            && guard.CheckPlanned(s.Private.ScopeKey, new SelfComposed(plan.StepEvent, remaining)) is { } refusal)
            throw new TrainingFailedException($"not starting: {refusal}");

        using (var probe = s.Models.Create(t.InitSeed))
            foreach (var fallback in Veil.Compute.PerExample.PerExampleValidator.Validate(probe, Unsupported(t)))
                log.WriteLine($"warning: {fallback}: no per-example rule, computed one example at a time (veil.dp.unsupported = naive)");
        var workers = t.Devices.Count * t.WorkersPerDevice;
        if (s.Models.BackboneFingerprint is not null)
            log.WriteLine($"fine-tuning from backbone {t.Initialisation.From} ({s.Models.BackboneFingerprint[..12]}): trainable = {t.Initialisation.Trainable}, {s.Initial.Values.Length} trainable parameters, head zero-initialised for {s.Models.Classes} classes");
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"run {s.Run.Id}: {t.ModelIdentity} on {s.Data.Count} examples ({plan.DatasetFingerprint[..12]}), Poisson q = {plan.SamplingRate:G4} (L = {plan.ExpectedBatchSize:F0}), σ = {plan.NoiseMultiplier:G5}, C = {plan.ClipNorm}, T = {plan.Steps}, δ = {plan.Delta:G3}; {(workSource is null ? $"{workers} worker(s) × {TorchRuntime.Threads} thread(s)" : "gradients on the cluster's worker nodes")}; ledger {s.LedgerPath}"));

        var planner = new StepPlanner(new PoissonSampler(s.Data.Count, plan.SamplingRate, s.Secrets.Sampler, s.Private.PriorReleases), new MicroBatchPlanner(t.MicroBatchSize));
        IMicroBatchDecoder decoder = s.Data.TrainDecoder(s.Secrets.AugmentationSeed);
        if (chaos.Enabled && chaos.DecodeFailureProbability > 0) decoder = new FailingDecoder(decoder, chaos.DecodeFailureProbability, chaos.Seed);
        decoder = new RetryingDecoder(decoder);
        // In cluster mode the worker nodes decode their own shards: the coordinator reads no training examples.
        IWorkFeed feed = workSource is null
            ? new PrefetcherWorkFeed(new MicroBatchPrefetcher(decoder, planner.Plans(firstStep, remaining), new PrefetchSettings(t.PrefetchMicroBatches, t.DecodeThreads)))
            : new PreloadedWorkFeed([]);
        var lrSchedule = t.Schedule == "cosine" ? (LearningRateSchedule)new CosineLearningRate(t.LearningRate, plan.Steps) : new ConstantLearningRate(t.LearningRate);
        var optimizer = new SgdMomentum(s.Velocity, t.Momentum);
        IReleaseRecorder recorder = new LedgerReleaseRecorder(s.Private, plan);
        if (chaos.Enabled) recorder = new ChaosReleaseRecorder(recorder, chaos.LedgerAppendDelayMs, chaos.ExitAfterLedgerAppendAtStep);
        var planJson = SavedPlan.Of(plan).ToJson();
        var checkpoints = new RunCheckpointer(
            new CheckpointStore(Path.Combine(s.Run.Path, "checkpoints"), s.Checkpoint.Keep), s.Checkpoint, optimizer, store, s.Run.Id,
            (steps, parameters, velocity, ledgerSequence, runEvents) => new Checkpoint(s.Run.Id, steps, parameters.Version, t.Model, planJson,
                s.Secrets.Sampler.ToHex(), s.Secrets.Noise.ToHex(), ledgerSequence, runEvents, DateTimeOffset.UtcNow, parameters.Values, velocity),
            chaos.Enabled ? chaos.CorruptCheckpointAtStep : -1, log);
        var parts = new PipelineParts(
            planner.Plan,
            feed,
            index =>
            {
                IGradientComputer computer = new TorchGradientComputer(s.Models.Create(0), plan.ClipNorm, t.Devices[index % t.Devices.Count], Method(t), Unsupported(t));
                return chaos.Enabled && chaos.CrashWorkerEvery > 0 ? new CrashingGradientComputer(computer, chaos.CrashWorkerEvery) : computer;
            },
            workers,
            new SeededGaussianNoise(plan.NoiseMultiplier, plan.ClipNorm, s.Secrets.Noise, s.Private.PriorReleases),
            recorder,
            new SgdParameterUpdater(optimizer, lrSchedule, ExpectedBatchSize.Of(plan.SamplingRate, plan.DatasetSize)),
            s.Initial, FirstStep: firstStep, TotalSteps: plan.Steps,
            MaxBufferedMicroBatches: t.PrefetchMicroBatches + t.DecodeThreads + workers,
            MaxWorkerRestarts: 1000,
            WorkerDispatcher: "veil-worker-dispatcher",
            Checkpoints: checkpoints,
            WorkSource: workSource is null ? null : accumulator => workSource(new WorkSourceContext(s.Run.Id, plan.DatasetFingerprint, s.Models.Identity, plan.ClipNorm, planner.Plan, accumulator, log,
                s.Secrets.AugmentationSeed)));

        progress.BudgetEpsilon = s.Private.Privacy.BudgetEpsilon;
        progress.NonPrivateDiagnostics = telemetry.NonPrivateDiagnostics;
        if (t.EvalEverySteps > 0) progress.Evaluate = PeriodicEvaluation(t, s.Models, s.Data.TestBatch());
        Action<StepReport> onStep = chaos.Enabled && chaos.ExitAtStep >= 0
            ? r =>
            {
                progress.Report(r);
                if (r.Step == chaos.ExitAtStep) SuddenDeath.Now($"after the update of step {r.Step}");
            }
            : progress.Report;
        var clock = Stopwatch.StartNew();
        var timeline = new Reporting.StageTimelineRecorder();
        opened.Add(timeline);
        return new PreparedRun(s.Run.Id, s.Run.Path, s.LedgerPath, plan.DatasetFingerprint, firstStep, parts, onStep,
            outcome => Complete(s, outcome, plan, firstStep, store, guard, progress, timeline, clock, log), opened);
    }

    /// <summary>Runs a prepared run in an actor system of its own (one node), and completes it.</summary>
    private static TrainingResult RunLocally(PreparedRun prepared)
    {
        using var _ = prepared;
        object outcome;
        using (var system = ActorSystem.Create("veil", PipelineActorSystem.Config))
        {
            var coordinator = system.ActorOf(CoordinatorActor.Props(prepared.Parts, prepared.OnStep), "coordinator");
            var answer = coordinator.Ask<object>(CoordinatorActor.Start.Instance, Timeout.InfiniteTimeSpan);
            var died = coordinator.WatchAsync();
            Task.WaitAny(answer, died);
            // The coordinator stops itself after answering; if it stopped without an answer it crashed.
            if (!answer.IsCompleted && !answer.Wait(TimeSpan.FromSeconds(2)))
                throw new TrainingFailedException($"run {prepared.RunId}: the coordinator crashed; the run is resumable: ./run.sh train --resume {prepared.RunPath} (the ledger {prepared.LedgerPath} holds every release made)");
            outcome = answer.Result;
            system.Terminate().Wait(TimeSpan.FromSeconds(30));
        }
        return prepared.Complete(outcome);
    }

    private static TrainingResult Complete(RunState s, object outcome, DpPlan plan, long firstStep, ILedgerStore store, BudgetGuard guard,
        ProgressLine progress, Reporting.StageTimelineRecorder timeline, Stopwatch clock, TextWriter log)
    {
        var t = s.Training;
        var wall = clock.Elapsed.TotalSeconds;
        if (outcome is CoordinatorActor.Failed failed)
            throw new TrainingFailedException($"run {s.Run.Id} stopped after {firstStep + failed.StepsDone} of {plan.Steps} steps: {failed.Reason}. The ledger {s.LedgerPath} holds every release made (verify: ./run.sh privacy ledger verify --ledger {s.LedgerPath}); continue with ./run.sh train --resume {s.Run.Path}");
        var finished = (CoordinatorActor.Finished)outcome;

        if (s.Data.SkippedExamples > 0)
            log.WriteLine($"warning: {s.Data.SkippedExamples} damaged training example(s) were skipped (veil.data.on-corrupt = skip); they contributed nothing to their steps");
        var testData = s.Data.TestBatch();
        using var evalModel = s.Models.Create(t.InitSeed);
        var evaluation = Evaluator.Evaluate(evalModel, finished.Parameters.Values, testData.Inputs, testData.Labels, testData.Count, t.EvalBatchSize);
        var spent = s.Private.Spent();
        var runEpsilon = s.Private.RunEpsilon();
        var runEvents = store.ReadAll().LongCount(r => r.RunId == s.Run.Id);
        s.Run.WriteFloats("parameters.f32", finished.Parameters.Values);
        if (s.Models.Backbone is { } backbone)
        {
            // The whole fine-tuned model (frozen parts included): a DP release like parameters.f32, usable as a backbone in turn.
            var m = backbone.Manifest;
            BackboneStore.Save(s.Run.File("model"), evalModel, m.PublicDataFingerprint,
                $"{m.PublicData}, then DP fine-tuned ({t.Initialisation.Trainable}) on {plan.DatasetFingerprint[..12]} in run {s.Run.Id}", m.Preprocessing);
            BackboneScope.CopyTo(t.Initialisation.From, s.Run.File("model"));
        }
        var result = new TrainingResult(s.Run.Id, s.Run.Path, s.LedgerPath, plan.DatasetFingerprint,
            (double)evaluation.Correct / evaluation.Examples, evaluation.MeanLoss, spent.Epsilon, spent.Delta, spent.Accountant,
            plan.Steps, plan.NoiseMultiplier, plan.SamplingRate, plan.ClipNorm, (long)Math.Round(plan.ExpectedBatchSize),
            wall, progress.Examples / Math.Max(wall, 1e-9), progress.Examples, progress.RssMegabytesAfterWarmUp, progress.RssMegabytesAtEnd,
            s.ResumedFromStep, runEvents, finished.Parameters.Version, runEpsilon.Epsilon, s.Private.ScopeKey, s.Secrets.Insecure);
        s.Run.WriteJson("result.json", result);
        Reporting.RunReportWriter.Write(s.Run.Path, new Reporting.RunReportData(s.Run.Id, t.Model, result.Epsilon, result.Delta, result.TestAccuracy,
            plan.Steps, plan.NoiseMultiplier, plan.SamplingRate, plan.ClipNorm, wall, result.ExamplesPerSecond, progress.Series, timeline.Intervals));
        return result;
    }

    private static void CheckMatches(Checkpoint c, string runId, TrainingSettings t, SavedPlan plan, RunSecrets secrets)
    {
        if (c.RunId != runId) throw new TrainingFailedException($"the newest checkpoint belongs to run {c.RunId}, not {runId}; refusing to resume from another run's state");
        if (c.Model != t.Model) throw new TrainingFailedException($"the checkpoint is of model {c.Model}, the run trains {t.Model}; refusing to resume");
        if (c.PlanJson != plan.ToJson()) throw new TrainingFailedException($"the checkpoint's DP plan {c.PlanJson} differs from the run's plan {plan.ToJson()}; refusing to resume under another plan");
        if (c.SamplerSeedHex != secrets.Sampler.ToHex() || c.NoiseSeedHex != secrets.Noise.ToHex()) throw new TrainingFailedException("the checkpoint's seeds differ from the run's secrets/seeds.json; refusing to resume");
    }

    /// <summary>Test accuracy every veil.eval.every-steps steps, on a replica of its own (the evaluator loads parameters into it).</summary>
    private static Func<StepReport, double?> PeriodicEvaluation(TrainingSettings t, RunModels models, MicroBatchData data)
    {
        var model = models.Create(t.InitSeed);
        return r =>
        {
            if (r.Parameters is null || (r.Step + 1) % t.EvalEverySteps != 0) return null;
            var e = Evaluator.Evaluate(model, r.Parameters.Values, data.Inputs, data.Labels, data.Count, t.EvalBatchSize);
            return (double)e.Correct / e.Examples;
        };
    }

    internal static Veil.Compute.Clipping.ClippingMethod Method(TrainingSettings t) => t.PerExampleMethod switch
    {
        "materialised" => Veil.Compute.Clipping.ClippingMethod.Materialised,
        "naive" => Veil.Compute.Clipping.ClippingMethod.Naive,
        _ => Veil.Compute.Clipping.ClippingMethod.Fast,
    };

    internal static Veil.Compute.PerExample.UnsupportedModulePolicy Unsupported(TrainingSettings t) =>
        t.Unsupported == "naive" ? Veil.Compute.PerExample.UnsupportedModulePolicy.Naive : Veil.Compute.PerExample.UnsupportedModulePolicy.Refuse;

    internal static void PrepareTorch(TrainingSettings t)
    {
        TorchRuntime.EnsureLoaded();
        var workers = t.Devices.Count * t.WorkersPerDevice;
        TorchRuntime.SetThreads(t.ThreadsPerWorker > 0 ? t.ThreadsPerWorker : Math.Max(1, Environment.ProcessorCount / workers));
    }
}
