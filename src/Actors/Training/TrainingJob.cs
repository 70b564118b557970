using Akka.Actor;
using Veil.Actors.Configuration;
using Veil.Actors.Pipeline;
using Veil.Actors.PrivateRuns;
using Veil.Compute.Parameters;
using Veil.Compute.Runtime;
using Veil.Ledger.Accountants;
using Veil.Ledger.Events;
using Veil.Ledger.Plan;

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
    public static TrainingResult Start(
        TrainingSettings t, PrivacySettings p, CheckpointSettings c, ChaosSettings chaos, TelemetrySettings telemetry, TextWriter log,
        string? ledgerPathOverride = null, ProgressLine? progress = null) =>
        RunLocally(PrepareStart(t, p, c, chaos, telemetry, log, ledgerPathOverride, progress));

    /// <summary>
    /// A new run, prepared but not started. With <paramref name="workSource"/> (cluster mode: given the run and
    /// the accumulator, the actor that farms the steps out) the pipeline has no local loader or workers.
    /// </summary>
    public static PreparedRun PrepareStart(
        TrainingSettings t, PrivacySettings p, CheckpointSettings c, ChaosSettings chaos, TelemetrySettings telemetry, TextWriter log,
        string? ledgerPathOverride = null, ProgressLine? progress = null, Func<WorkSourceContext, Props>? workSource = null)
    {
        PrepareTorch(t);
        return PrepareStart(t, p, c, chaos, telemetry, log, RunData.Load(t), data => new RunModels(t, data.ModelClasses, data.Fingerprint),
            ledgerPathOverride, progress, workSource);
    }

    /// <summary>A new run on data already opened (disposed with the run, or here if it is refused) and models from <paramref name="modelsFor"/>.</summary>
    internal static PreparedRun PrepareStart(
        TrainingSettings t, PrivacySettings p, CheckpointSettings c, ChaosSettings chaos, TelemetrySettings telemetry, TextWriter log,
        RunData data, Func<RunData, RunModels> modelsFor, string? ledgerPathOverride = null, ProgressLine? progress = null,
        Func<WorkSourceContext, Props>? workSource = null)
    {
        try
        {
            p = LedgerAccountant.Pin(p, ledgerPathOverride);
            var plan = t.Dp.Plan(Population(t, p, data), data.Fingerprint, AccountantCatalog.Create(p.Accountant), p.BudgetDelta,
                p.Unit, p.Unit == PrivacyUnit.User ? p.ExamplesPerUser : 0);
            var models = modelsFor(data);
            var backbones = t.Initialisation.FromBackbone ? new[] { t.Initialisation.From } : [];
            var privateRun = PrivateRun.Open(new PrivateRunRequest(p, ledgerPathOverride, t.RunDirectory, new RunPrivateData(data, backbones, p.Unit),
                new SelfComposed(plan.StepEvent, plan.Steps), t.Seed, t.InsecurePrivateSeed,
                (folder, opened) => WriteRunFiles(folder, opened, t, p, c, plan, data, models)), log);
            using var initialModel = models.Create(t.InitSeed);
            var initial = new ParameterSnapshot(0, ParameterVector.Flatten(initialModel));
            return TrainingPipeline.Prepare(
                new TrainingRunState(t, c, privateRun, plan, data, initial, OptimizerStart(t, initial.Values), ResumedFromStep: null, models),
                chaos, telemetry, log, progress ?? new ProgressLine(log), workSource);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>Zero velocity; the moving average, when on, starts at the initial parameters.</summary>
    internal static OptimizerState OptimizerStart(TrainingSettings t, float[] initial) =>
        new(new float[initial.Length], t.Ema > 0 ? (float[])initial.Clone() : null);

    /// <summary>N of the plan: the examples, or in a user-level run the users (whose examples must fit one micro-batch each).</summary>
    internal static int Population(TrainingSettings t, PrivacySettings p, RunData data)
    {
        if (p.Unit != PrivacyUnit.User) return data.Count;
        var owners = data.Owners ?? throw new ConfigurationException(
            "veil.privacy.unit = user needs to know who owns each example: set veil.data.owners.from to manifest, folder or synthetic");
        if (p.ExamplesPerUser > t.Runtime.MicroBatchSize)
            throw new ConfigurationException(
                $"veil.privacy.examples-per-user = {p.ExamplesPerUser} exceeds veil.runtime.micro-batch-size = {t.Runtime.MicroBatchSize}: a user's " +
                "examples are combined and clipped inside one micro-batch; raise the micro-batch size or lower examples-per-user");
        return owners.UserCount;
    }

    private static void WriteRunFiles(RunFolder run, OpenedRun opened, TrainingSettings t, PrivacySettings p, CheckpointSettings c, DpPlan plan,
        RunData train, RunModels models)
    {
        var (shareable, _) = LedgerStoreFactory.SplitPassword(p);
        if (opened.Ledger != LedgerStoreFactory.Describe(shareable))
            shareable = shareable with { LedgerBackend = LedgerBackends.Sqlite, LedgerPath = opened.Ledger, IdentityKey = "" };
        run.WriteJson(SavedRun.FileName, new SavedRun(t, shareable, c, opened.Ledger, plan, opened.ScopeKey));
        run.WriteJson(TrainingPlanFile.FileName, TrainingPlanFile.Of(run.Id, plan, opened, t, train, models));
    }

    public static TrainingResult Resume(string runDirectory, ChaosSettings chaos, TelemetrySettings telemetry, TextWriter log, ProgressLine? progress = null) =>
        RunLocally(PrepareResume(runDirectory, chaos, telemetry, log, progress));

    /// <summary>A run resumed from its folder (newest valid checkpoint + the ledger), prepared but not started; see <see cref="PrepareStart"/>.</summary>
    public static PreparedRun PrepareResume(
        string runDirectory, ChaosSettings chaos, TelemetrySettings telemetry, TextWriter log, ProgressLine? progress = null,
        Func<WorkSourceContext, Props>? workSource = null) => TrainingResume.Prepare(runDirectory, chaos, telemetry, log, progress, workSource);

    /// <summary>Runs a prepared run in an actor system of its own (one node), and completes it.</summary>
    internal static TrainingResult RunLocally(PreparedRun prepared)
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
                throw new TrainingFailedException(
                    $"run {prepared.RunId}: the coordinator crashed; the run is resumable: " +
                    $"./run.sh train --resume {prepared.RunPath} (the ledger {prepared.LedgerPath} holds every release made)");
            outcome = answer.Result;
            system.Terminate().Wait(TimeSpan.FromSeconds(30));
        }
        return prepared.Complete(outcome);
    }

    internal static Veil.Compute.Clipping.ClippingMethod Method(TrainingSettings t) => t.PerExampleMethod;

    internal static Veil.Compute.PerExample.UnsupportedModulePolicy Unsupported(TrainingSettings t) =>
        t.Unsupported;

    internal static void PrepareTorch(TrainingSettings t)
    {
        TorchRuntime.EnsureLoaded();
        var workers = t.Runtime.Devices.Count * t.Runtime.WorkersPerDevice;
        TorchRuntime.SetThreads(t.Runtime.ThreadsPerWorker > 0 ? t.Runtime.ThreadsPerWorker : Math.Max(1, Environment.ProcessorCount / workers));
    }
}
