using System.Text.Json;
using Akka.Actor;
using Veil.Actors.Checkpoints;
using Veil.Actors.Configuration;
using Veil.Actors.Pipeline;
using Veil.Actors.PrivateRuns;
using Veil.Compute.Parameters;
using Veil.Ledger.Plan;

namespace Veil.Actors.Training;

/// <summary>
/// `train --resume`: the run's folder (settings, plan, keys), its newest checkpoint that verifies, and the ledger,
/// which alone says what was spent: a release after the checkpoint stays spent, and its step is released again,
/// afresh, when redone. Refuses a run whose data, backbone, plan or keys changed, or whose ledger lost events.
/// </summary>
internal static class TrainingResume
{
    public static PreparedRun Prepare(string runDirectory, ChaosSettings chaos, TelemetrySettings telemetry, TextWriter log, ProgressLine? progress = null,
        Func<WorkSourceContext, Props>? workSource = null)
    {
        var runPath = Path.GetFullPath(runDirectory);
        var saved = SavedRun.Read(runPath);
        var t = saved.Training;
        var plan = saved.Plan;
        if (saved.ScopeKey is null)
            throw new TrainingFailedException(
                $"run {runPath} was started before the ledger charged examples by data scope; it cannot be resumed " +
                $"on this ledger without mixing the two keys. Start a new run (its ledger events so far still count)");
        TrainingJob.PrepareTorch(t);
        var data = RunData.Load(t);
        PrivateRun? privateRun = null;
        try
        {
            if (data.Fingerprint != plan.DatasetFingerprint)
                throw new TrainingFailedException(
                    $"the training data changed since run {Path.GetFileName(runPath)} started (fingerprint " +
                    $"{data.Fingerprint[..12]} ≠ {plan.DatasetFingerprint[..12]}); refusing to resume on different data");
            var models = new RunModels(t, data.ModelClasses, data.Fingerprint);
            var runId = Path.GetFileName(runPath.TrimEnd(Path.DirectorySeparatorChar));
            if (models.BackboneFingerprint is { } backbone)
            {
                using var planFile = JsonDocument.Parse(File.ReadAllText(Path.Combine(runPath, "plan.json")));
                if (planFile.RootElement.GetProperty("backbone").GetString() != backbone)
                    throw new TrainingFailedException(
                        $"the backbone {t.Initialisation.From} changed since run {runId} started " +
                        $"(its frozen weights are part of the model); refusing to resume");
            }
            var backbones = t.Initialisation.FromBackbone ? new[] { t.Initialisation.From } : [];
            var checkpoint = LoadCheckpoint(runPath, saved, log);
            if (checkpoint is not null && saved.Privacy.LedgerBackend != LedgerBackends.Postgres && !File.Exists(saved.LedgerPath)
                    && checkpoint.LedgerEventsOfRun > 0)
                throw new TrainingFailedException(
                    $"ledger {saved.LedgerPath} is gone, but the checkpoint after step {checkpoint.StepsApplied} says {checkpoint.LedgerEventsOfRun} " +
                    $"releases were recorded in it: the privacy already spent is unknown. Refusing to resume; restore the ledger.");
            privateRun = PrivateRun.Resume(
                runPath, saved.Privacy with { LedgerPath = saved.LedgerPath }, t.RunDirectory, new RunPrivateData(data, backbones, plan.Unit), saved.ScopeKey);
            var run = privateRun.Run;
            ParameterSnapshot initial;
            OptimizerState optimizer;
            if (checkpoint is null)
            {
                log.WriteLine($"resume: no valid checkpoint in {runPath}; starting run {run.Id} again from step 0 (its ledger events so far still count)");
                using var initialModel = models.Create(t.InitSeed);
                initial = new ParameterSnapshot(0, ParameterVector.Flatten(initialModel));
                optimizer = TrainingJob.OptimizerStart(t, initial.Values);
            }
            else
            {
                CheckMatches(checkpoint, run.Id, t, saved.Plan, privateRun.Secrets);
                initial = new ParameterSnapshot(checkpoint.ParameterVersion, checkpoint.Parameters);
                optimizer = new OptimizerState(checkpoint.Velocity, checkpoint.Average);
                var runEvents = privateRun.PriorReleases.Total;
                if (runEvents < checkpoint.LedgerEventsOfRun)
                    throw new TrainingFailedException(
                        $"ledger {saved.LedgerPath} holds {runEvents} events of run {run.Id}, " +
                        $"but its checkpoint after step {checkpoint.StepsApplied} recorded {checkpoint.LedgerEventsOfRun}: " +
                        "the ledger was replaced or truncated, so the privacy already spent is unknown. Refusing to resume; restore the ledger from a backup.");
                log.WriteLine($"resume: run {run.Id} from its checkpoint after {checkpoint.StepsApplied} of {plan.Steps} steps");
            }
            return TrainingPipeline.Prepare(
                new TrainingRunState(t, saved.Checkpoint, privateRun, plan, data, initial, optimizer, checkpoint?.StepsApplied ?? 0, models),
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

    private static void CheckMatches(Checkpoint c, string runId, TrainingSettings t, DpPlan plan, RunSecrets secrets)
    {
        if (c.RunId != runId)
            throw new TrainingFailedException($"the newest checkpoint belongs to run {c.RunId}, not {runId}; refusing to resume from another run's state");
        if (c.Model != t.Model) throw new TrainingFailedException($"the checkpoint is of model {c.Model}, the run trains {t.Model}; refusing to resume");
        if (c.Plan != plan)
            throw new TrainingFailedException(
                $"the checkpoint's DP plan {PlanJson.Write(c.Plan)} differs from the run's plan {PlanJson.Write(plan)}; refusing to resume under another plan");
        if (c.SamplerSeedHex != secrets.Sampler.ToHex() || c.NoiseSeedHex != secrets.Noise.ToHex())
            throw new TrainingFailedException("the checkpoint's seeds differ from the run's secrets/seeds.json; refusing to resume");
        if ((t.Ema > 0) != (c.Average is not null))
            throw new TrainingFailedException(
                $"the run has veil.optimizer.ema = {t.Ema} but its checkpoint after step {c.StepsApplied} " +
                $"{(c.Average is null ? "holds no moving average" : "holds one")}; refusing to resume with a moving average that is not the run's");
    }

}
