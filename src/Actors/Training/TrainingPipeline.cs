using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Veil.Actors.Chaos;
using Veil.Actors.Checkpoints;
using Veil.Actors.Configuration;
using Veil.Actors.Pipeline;
using Veil.Compute.Evaluation;
using Veil.Compute.Optimizers;
using Veil.Compute.Runtime;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Prefetch;
using Veil.DataLoading.Sampling;
using Veil.Ledger.Events;
using Veil.Ledger.Plan;

namespace Veil.Actors.Training;

/// <summary>
/// Wires a run's pipeline from its opened private run: the Poisson sampler and noise keyed by the run's secrets
/// (re-released steps drawn afresh), the ledger recorder under the run's data scope, the decoder and prefetcher (or
/// the cluster's work source), the optimizer, checkpoints and progress. Nothing starts until the coordinator is told.
/// </summary>
internal static class TrainingPipeline
{
    public static PreparedRun Prepare(
        TrainingRunState s, ChaosSettings chaos, TelemetrySettings telemetry, TextWriter log, ProgressLine progress, Func<WorkSourceContext, Props>? workSource)
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

    private static PreparedRun Wire(
        TrainingRunState s, ChaosSettings chaos, TelemetrySettings telemetry, TextWriter log, ProgressLine progress, Func<WorkSourceContext, Props>? workSource,
        List<IDisposable> opened)
    {
        var exporters = new Telemetry.TelemetryExporters(telemetry, s.Run.Id);
        opened.Add(exporters);
        var t = s.Training;
        var plan = s.Plan;
        var firstStep = s.ResumedFromStep ?? 0;
        opened.Add(s.Private);
        Telemetry.VeilTelemetry.ExpectedBatch(plan.ExpectedBatchSize);
        Telemetry.VeilTelemetry.PrivacySpent(s.Private.Spent().Epsilon, plan.Delta);
        var remaining = plan.Steps - firstStep;
        // A new run's whole plan was checked when it opened; a resumed one checks what is left of it.
        if (s.ResumedFromStep is not null && remaining > 0 && !s.Secrets.Insecure
            && s.Private.Guard.CheckPlanned(s.Private.ScopeKey, new SelfComposed(plan.StepEvent, remaining)) is { } refusal)
            throw new TrainingFailedException($"not starting: {refusal}");

        using (var probe = s.Models.Create(t.InitSeed))
            foreach (var fallback in Veil.Compute.PerExample.PerExampleValidator.Validate(probe, TrainingJob.Unsupported(t)))
                log.WriteLine($"warning: {fallback}: no per-example rule, computed one example at a time (veil.dp.unsupported = naive)");
        var workers = t.Runtime.Devices.Count * t.Runtime.WorkersPerDevice;
        if (s.Models.BackboneFingerprint is not null)
            log.WriteLine(
                $"fine-tuning from backbone {t.Initialisation.From} ({s.Models.BackboneFingerprint[..12]}): trainable = {t.Initialisation.Trainable}, " +
                $"{s.Initial.Values.Length} trainable parameters, head zero-initialised for {s.Models.Classes} classes");
        var users = plan.Unit == PrivacyUnit.User ? $" over {plan.DatasetSize} users (at most k = {plan.ExamplesPerUser} examples each per step)" : "";
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"run {s.Run.Id}: {t.ModelIdentity} on {s.Data.Count} examples ({plan.DatasetFingerprint[..12]}), {plan.UnitLabel} DP{users}, " +
            $"Poisson q = {plan.SamplingRate:G4} (L = {plan.ExpectedBatchSize:F0}{(plan.Unit == PrivacyUnit.User ? " users" : "")}), " +
            $"σ = {plan.NoiseMultiplier:G5}, C = {plan.ClipNorm}, T = {plan.Steps}, " +
            $"δ = {plan.Delta:G3}; " +
            $"{(workSource is null ? $"{workers} worker(s) × {TorchRuntime.Threads} thread(s)" : "gradients on the cluster's worker nodes")}; " +
            $"ledger {s.LedgerPath}"));

        var planner = plan.Unit == PrivacyUnit.User
            ? new StepPlanner(
                new UserPoissonSampler(s.Data.Owners!, plan.SamplingRate, plan.ExamplesPerUser, s.Secrets.Sampler, s.Private.PriorReleases),
                new MicroBatchPlanner(t.Runtime.MicroBatchSize))
            : new StepPlanner(
                new PoissonSampler(s.Data.Count, plan.SamplingRate, s.Secrets.Sampler, s.Private.PriorReleases),
                new MicroBatchPlanner(t.Runtime.MicroBatchSize));
        IMicroBatchDecoder decoder = s.Data.TrainDecoder(s.Secrets.AugmentationSeed);
        if (chaos.Enabled && chaos.DecodeFailureProbability > 0) decoder = new FailingDecoder(decoder, chaos.DecodeFailureProbability, chaos.Seed);
        decoder = new RetryingDecoder(decoder);
        // In cluster mode the worker nodes decode their own shards: the coordinator reads no training examples.
        IWorkFeed feed = workSource is null
            ? new PrefetcherWorkFeed(
                new MicroBatchPrefetcher(decoder, planner.Plans(firstStep, remaining),
                    new PrefetchSettings(t.Runtime.PrefetchMicroBatches, t.Runtime.DecodeThreads)))
            : new PreloadedWorkFeed([]);
        var lrSchedule = t.Schedule == LearningRateScheduleKind.Cosine
            ? (LearningRateSchedule)new CosineLearningRate(t.LearningRate, plan.Steps)
            : new ConstantLearningRate(t.LearningRate);
        var optimizer = new SgdMomentum(s.Optimizer.Velocity, t.Momentum);
        var average = s.Optimizer.Average is { } start ? new ExponentialMovingAverage(start, t.Ema) : null;
        IReleaseRecorder recorder = new LedgerReleaseRecorder(s.Private, plan);
        if (chaos.Enabled) recorder = new ChaosReleaseRecorder(recorder, chaos.LedgerAppendDelayMs, chaos.ExitAfterLedgerAppendAtStep);
        var checkpoints = new RunCheckpointer(
            new CheckpointStore(Path.Combine(s.Run.Path, "checkpoints"), s.Checkpoint.Keep), s.Checkpoint, optimizer, average, s.Private.Store, s.Run.Id,
            (steps, parameters, state, ledgerSequence, runEvents) => new Checkpoint(s.Run.Id, steps, parameters.Version, t.Model, plan,
                s.Secrets.Sampler.ToHex(), s.Secrets.Noise.ToHex(), ledgerSequence, runEvents, DateTimeOffset.UtcNow, parameters.Values, state.Velocity,
                state.Average),
            chaos.Enabled ? chaos.CorruptCheckpointAtStep : -1, log);
        var parts = new PipelineParts(
            planner.Plan,
            feed,
            index =>
            {
                IGradientComputer computer = new TorchGradientComputer(
                    s.Models.Create(0), plan.ClipNorm, t.Runtime.Devices[index % t.Runtime.Devices.Count], TrainingJob.Method(t), TrainingJob.Unsupported(t));
                return chaos.Enabled && chaos.CrashWorkerEvery > 0 ? new CrashingGradientComputer(computer, chaos.CrashWorkerEvery) : computer;
            },
            workers,
            new SeededGaussianNoise(plan.NoiseMultiplier, plan.ClipNorm, s.Secrets.Noise, s.Private.PriorReleases),
            recorder,
            new SgdParameterUpdater(optimizer, lrSchedule, ExpectedBatchSize.Of(plan.SamplingRate, plan.DatasetSize), average),
            s.Initial, FirstStep: firstStep, TotalSteps: plan.Steps,
            MaxBufferedMicroBatches: t.Runtime.PrefetchMicroBatches + t.Runtime.DecodeThreads + workers,
            MaxWorkerRestarts: 1000,
            WorkerDispatcher: "veil-worker-dispatcher",
            Checkpoints: checkpoints,
            WorkSource: workSource is null ? null : accumulator => workSource(new WorkSourceContext(
                s.Run.Id, plan, s.Models.Identity, planner.Plan, accumulator, log,
                s.Secrets.AugmentationSeed)));

        progress.BudgetEpsilon = s.Private.Privacy.BudgetEpsilon;
        progress.Unit = plan.Unit;
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
            outcome => TrainingCompletion.Complete(s, outcome, average, plan, firstStep, progress, timeline, clock, log), opened);
    }

    /// <summary>Test accuracy every veil.eval.every-steps steps, on a replica of its own (the evaluator loads parameters into it).</summary>
    private static Func<StepReport, double?> PeriodicEvaluation(TrainingSettings t, RunModels models, MicroBatchData data)
    {
        var model = models.Create(t.InitSeed);
        return r =>
        {
            if (r.Parameters is null || (r.Step + 1) % t.EvalEverySteps != 0) return null;
            var e = Evaluator.Evaluate(model, r.Parameters.Values, data.Inputs, data.Labels, data.Count, t.Runtime.EvalBatchSize);
            return (double)e.Correct / e.Examples;
        };
    }

}
