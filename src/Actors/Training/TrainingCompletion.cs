using System.Diagnostics;
using Veil.Actors.Pipeline;
using Veil.Actors.PrivateRuns;
using Veil.Compute.Evaluation;
using Veil.Compute.Optimizers;
using Veil.Compute.Transfer;
using Veil.Ledger.Plan;

namespace Veil.Actors.Training;

/// <summary>
/// A finished run's end: evaluation on the test split, the released parameters (and the fine-tuned model, which
/// keeps its backbone's public scope), ε read back from the ledger (the worst example of the scope, and this run's
/// own releases), result.json and the report. A failed run becomes the message that says how to resume it.
/// </summary>
internal static class TrainingCompletion
{
    public static TrainingResult Complete(TrainingRunState s, object outcome, ExponentialMovingAverage? average, DpPlan plan, long firstStep,
        ProgressLine progress, Reporting.StageTimelineRecorder timeline, Stopwatch clock, TextWriter log)
    {
        var t = s.Training;
        var wall = clock.Elapsed.TotalSeconds;
        if (outcome is CoordinatorActor.Failed failed)
            throw new TrainingFailedException(
                $"run {s.Run.Id} stopped after {firstStep + failed.StepsDone} of {plan.Steps} steps: {failed.Reason}. The ledger {s.LedgerPath} holds " +
                $"every release made (verify: ./run.sh privacy ledger verify --ledger {s.LedgerPath}); continue with ./run.sh train --resume {s.Run.Path}");
        var finished = (CoordinatorActor.Finished)outcome;

        if (s.Data.SkippedExamples > 0)
            log.WriteLine(
                $"warning: {s.Data.SkippedExamples} damaged training example(s) " +
                $"were skipped (veil.data.on-corrupt = skip); they contributed nothing to their steps");
        var testData = s.Data.TestBatch();
        using var evalModel = s.Models.Create(t.InitSeed);
        var evaluation = Evaluator.Evaluate(evalModel, finished.Parameters.Values, testData.Inputs, testData.Labels, testData.Count, t.Runtime.EvalBatchSize);
        // With veil.optimizer.ema on, the average is the released model; the last iterate is kept beside it for comparison.
        var averaged = average?.Export();
        var averageEvaluation = averaged is null
            ? null
            : Evaluator.Evaluate(evalModel, averaged, testData.Inputs, testData.Labels, testData.Count, t.Runtime.EvalBatchSize);
        var spent = s.Private.Spent();
        var (runEpsilon, runEvents) = s.Private.OwnReleases();
        s.Run.WriteFloats("parameters.f32", averaged ?? finished.Parameters.Values);
        if (averaged is not null) s.Run.WriteFloats("parameters-last.f32", finished.Parameters.Values);
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
            s.ResumedFromStep, runEvents, finished.Parameters.Version, runEpsilon.Epsilon, s.Private.ScopeKey, s.Secrets.Insecure,
            plan.Unit == Veil.Ledger.Plan.PrivacyUnit.User ? "user" : "example",
            averageEvaluation is null ? null : (double)averageEvaluation.Correct / averageEvaluation.Examples, averageEvaluation?.MeanLoss,
            averaged is null ? "last" : "ema");
        if (averageEvaluation is not null)
            log.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"test accuracy: last iterate {result.TestAccuracy:P2}, moving average (β = {t.Ema}) {result.EmaTestAccuracy:P2} (saved)"));
        s.Run.WriteJson("result.json", result);
        Reporting.RunReportWriter.Write(s.Run.Path, new Reporting.RunReportData(s.Run.Id, t.Model, result.Epsilon, result.Delta, result.TestAccuracy,
            plan.Steps, plan.NoiseMultiplier, plan.SamplingRate, plan.ClipNorm, wall, result.ExamplesPerSecond, progress.Series, timeline.Intervals,
            plan.UnitLabel));
        return result;
    }

}
