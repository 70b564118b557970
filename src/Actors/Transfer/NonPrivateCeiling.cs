using System.Diagnostics;
using Veil.Actors.Configuration;
using Veil.Actors.Training;
using Veil.Compute.Evaluation;
using Veil.Compute.Parameters;
using Veil.Compute.Runtime;
using Veil.Compute.Transfer;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Sampling;

namespace Veil.Actors.Transfer;

/// <summary>
/// The accuracy a recipe's model reaches WITHOUT privacy: the same start (backbone, zero head, frozen parts)
/// and the same private data, trained by ordinary SGD (veil.pretrain.* optimiser). A reference for the
/// accuracy table only: it touches private data without noise, so its model is never saved or released,
/// and it writes nothing to a ledger.
/// </summary>
public static class NonPrivateCeiling
{
    public sealed record Result(double TestAccuracy, double WallSeconds, int Examples);

    public static Result Run(TrainingSettings t, PretrainSettings p)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(t.Runtime.ThreadsPerWorker > 0 ? t.Runtime.ThreadsPerWorker : Environment.ProcessorCount);
        var clock = Stopwatch.StartNew();
        using var data = RunData.Load(t);
        var models = new RunModels(t, data.ModelClasses, data.Fingerprint);
        var train = data.TrainDecoder(SamplerSeed.FromUInt64(t.Seed == 0 ? 1 : t.Seed))
            .Decode(new MicroBatchSpec(new MicroBatchId(-1, 0), Enumerable.Range(0, data.Count).ToArray()));
        var test = data.TestBatch();
        using var model = models.Create(t.InitSeed);
        NonPrivateTrainer.Train(model, train.Inputs, train.Labels, train.Count, p.Options(t.Seed == 0 ? 1 : t.Seed));
        var e = Evaluator.Evaluate(model, ParameterVector.Flatten(model), test.Inputs, test.Labels, test.Count, t.Runtime.EvalBatchSize);
        return new Result(e.Accuracy, clock.Elapsed.TotalSeconds, data.Count);
    }
}
