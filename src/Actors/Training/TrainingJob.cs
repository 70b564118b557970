using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Veil.Actors.Configuration;
using Veil.Actors.Pipeline;
using Veil.Compute.Evaluation;
using Veil.Compute.Models;
using Veil.Compute.Noise;
using Veil.Compute.Optimizers;
using Veil.Compute.Parameters;
using Veil.Compute.Runtime;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Prefetch;
using Veil.DataLoading.Sampling;
using Veil.Ledger.Accountants;
using Veil.Ledger.Accountants.Calibration;
using Veil.Ledger.Budget;
using Veil.Ledger.Plan;
using Veil.Ledger.Store;

namespace Veil.Actors.Training;

/// <summary>
/// One private training run, end to end: data → DpPlan (σ calibrated if asked) → budget check against
/// the ledger → the actor pipeline → evaluation on the test split → runs/&lt;id&gt;/. ε in the result is
/// read back from the ledger, never from the plan.
/// </summary>
public static class TrainingJob
{
    public static TrainingResult Run(TrainingSettings t, PrivacySettings p, TextWriter log, string? ledgerPathOverride = null)
    {
        TorchRuntime.EnsureLoaded();
        var workers = t.Devices.Count * t.WorkersPerDevice;
        TorchRuntime.SetThreads(t.ThreadsPerWorker > 0 ? t.ThreadsPerWorker : Math.Max(1, Environment.ProcessorCount / workers));

        var splits = FashionMnist.Load(string.IsNullOrWhiteSpace(t.DataPath) ? null : t.DataPath);
        var train = t.TrainExamples > 0 ? DatasetSubset.First(splits.Train, t.TrainExamples) : splits.Train;
        var test = t.TestExamples > 0 ? DatasetSubset.First(splits.Test, t.TestExamples) : splits.Test;
        var fingerprint = DatasetFingerprint.Of(train);

        var batch = Math.Min(t.ExpectedBatchSize, train.Count);
        var schedule = SamplingSchedule.FromEpochs(train.Count, batch, t.Epochs);
        var accountant = AccountantCatalog.Create(p.Accountant);
        var sigma = t.NoiseMultiplier > 0
            ? t.NoiseMultiplier
            : NoiseCalibration.Calibrate(accountant, t.TargetEpsilon, schedule, p.BudgetDelta, relativeTolerance: 1e-4).NoiseMultiplier;
        var plan = new DpPlan(schedule.SamplingRate, sigma, t.ClipNorm, schedule.Steps, p.BudgetDelta, fingerprint, train.Count);

        var ledgerPath = Path.GetFullPath(ledgerPathOverride ?? p.LedgerPath);
        using var store = SqliteLedgerStore.Open(ledgerPath);
        var verification = store.Verify();
        if (!verification.Valid)
            throw new TrainingFailedException($"ledger {ledgerPath} fails verification at record {verification.FirstBadSequence}: {verification.Reason}. Refusing to spend privacy on a ledger that cannot be trusted.");
        var guard = new BudgetGuard(store, accountant, new PrivacyBudget(p.BudgetEpsilon, p.BudgetDelta));
        if (guard.CheckPlanned(fingerprint, plan.RunEvent) is { } refusal)
            throw new TrainingFailedException($"not starting: {refusal}");

        var run = RunFolder.Create(t.RunDirectory);
        var samplerSeed = t.Seed == 0 ? SamplerSeed.FromCsprng() : SamplerSeed.FromUInt64(t.Seed);
        var noiseSeed = t.Seed == 0 ? NoiseSeed.FromCsprng() : NoiseSeed.FromInt64(unchecked((long)(t.Seed * 0x9E3779B97F4A7C15UL)));
        run.WriteSecret("seeds.json", $"{{\"sampler\":\"{samplerSeed.ToHex()}\",\"noise\":\"{noiseSeed.ToHex()}\",\"fixed_seed\":{(t.Seed != 0 ? "true" : "false")}}}");
        run.WriteJson("plan.json", new
        {
            run_id = run.Id, dataset = train.Source, dataset_fingerprint = fingerprint, dataset_size = train.Count,
            sampling = "poisson", sampling_rate = plan.SamplingRate, noise_multiplier = plan.NoiseMultiplier, clip_norm = plan.ClipNorm,
            steps = plan.Steps, delta = plan.Delta, expected_batch_size = plan.ExpectedBatchSize, accountant = accountant.Name,
            model = t.Model, learning_rate = t.LearningRate, momentum = t.Momentum, schedule = t.Schedule, ledger = ledgerPath,
        });
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"run {run.Id}: {t.Model} on {train.Count} examples ({fingerprint[..12]}), Poisson q = {plan.SamplingRate:G4} (L = {plan.ExpectedBatchSize:F0}), σ = {sigma:G5}, C = {plan.ClipNorm}, T = {plan.Steps}, δ = {plan.Delta:G3}; {workers} worker(s) × {TorchRuntime.Threads} thread(s); ledger {ledgerPath}"));

        using var initialModel = ModelCatalog.Create(t.Model, t.InitSeed);
        var initial = new ParameterSnapshot(0, ParameterVector.Flatten(initialModel));
        var planner = new StepPlanner(new PoissonSampler(train.Count, plan.SamplingRate, samplerSeed), new MicroBatchPlanner(t.MicroBatchSize));
        var prefetcher = new MicroBatchPrefetcher(new MicroBatchDecoder(train, PixelNormalization.FashionMnist), planner.Plans(0, plan.Steps),
            new PrefetchSettings(t.PrefetchMicroBatches, t.DecodeThreads));
        var lrSchedule = t.Schedule == "cosine" ? (LearningRateSchedule)new CosineLearningRate(t.LearningRate, plan.Steps) : new ConstantLearningRate(t.LearningRate);
        var parts = new PipelineParts(
            planner.Plan,
            new PrefetcherWorkFeed(prefetcher),
            index => new TorchGradientComputer(t.Model, plan.ClipNorm, t.Devices[index % t.Devices.Count]),
            workers,
            new SeededGaussianNoise(plan.NoiseMultiplier, plan.ClipNorm, noiseSeed),
            new LedgerReleaseRecorder(guard, plan, run.Id),
            new SgdParameterUpdater(new SgdMomentum(initial.Values.Length, t.Momentum), lrSchedule, ExpectedBatchSize.Of(plan.SamplingRate, plan.DatasetSize)),
            initial, FirstStep: 0, TotalSteps: plan.Steps,
            MaxBufferedMicroBatches: t.PrefetchMicroBatches + t.DecodeThreads + workers,
            WorkerDispatcher: "veil-worker-dispatcher");

        var progress = new ProgressLine(log);
        var clock = Stopwatch.StartNew();
        object outcome;
        using (var system = ActorSystem.Create("veil", PipelineActorSystem.Config))
        {
            var coordinator = system.ActorOf(CoordinatorActor.Props(parts, progress.Report), "coordinator");
            outcome = coordinator.Ask<object>(CoordinatorActor.Start.Instance, Timeout.InfiniteTimeSpan).GetAwaiter().GetResult();
            system.Terminate().Wait(TimeSpan.FromSeconds(30));
        }
        var wall = clock.Elapsed.TotalSeconds;
        if (outcome is CoordinatorActor.Failed failed)
            throw new TrainingFailedException($"run {run.Id} stopped after {failed.StepsDone} steps: {failed.Reason}. The ledger {ledgerPath} holds every release made; verify it with ./run.sh privacy ledger verify --ledger {ledgerPath}");
        var finished = (CoordinatorActor.Finished)outcome;

        var testData = new MicroBatchDecoder(test, PixelNormalization.FashionMnist).Decode(new MicroBatchSpec(new MicroBatchId(-1, 0), Enumerable.Range(0, test.Count).ToArray()));
        using var evalModel = ModelCatalog.Create(t.Model, t.InitSeed);
        var evaluation = Evaluator.Evaluate(evalModel, finished.Parameters.Values, testData.Inputs, testData.Labels, testData.Count, t.EvalBatchSize);
        var spent = guard.Spent(fingerprint);
        run.WriteFloats("parameters.f32", finished.Parameters.Values);
        var result = new TrainingResult(run.Id, run.Path, ledgerPath, fingerprint,
            (double)evaluation.Correct / evaluation.Examples, evaluation.MeanLoss, spent.Epsilon, spent.Delta, spent.Accountant,
            finished.StepsDone, plan.NoiseMultiplier, plan.SamplingRate, plan.ClipNorm, (long)Math.Round(plan.ExpectedBatchSize),
            wall, progress.Examples / Math.Max(wall, 1e-9), progress.Examples, progress.RssMegabytesAfterWarmUp, progress.RssMegabytesAtEnd);
        run.WriteJson("result.json", result);
        return result;
    }
}
