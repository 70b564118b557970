using System.Diagnostics;
using System.Globalization;
using Veil.Actors.Configuration;
using Veil.Actors.Training;
using Veil.Compute.Evaluation;
using Veil.Compute.Models;
using Veil.Compute.Parameters;
using Veil.Compute.Runtime;
using Veil.Compute.Transfer;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Datasets;

namespace Veil.Actors.Transfer;

/// <summary>
/// Public pre-training: ordinary SGD on the public part of veil.public, then runs/&lt;id&gt;/backbone/.
/// It reads only public examples and never opens the ledger: public data has no budget to spend.
/// </summary>
public static class PretrainJob
{
    private const ulong AugmentationSeedSalt = 0x5EED_A076_0000_0001UL;

    public static PretrainResult Run(TrainingSettings t, PretrainSettings p, TextWriter log)
    {
        if (!t.PublicSplit.Enabled)
            throw new ConfigurationException("pretrain trains without DP, so it needs public data: set veil.public.split = subset or classes (the private part is left for `train`)");
        if (t.Initialisation.FromBackbone)
            throw new ConfigurationException($"veil.init.from = {t.Initialisation.From} applies to `train` (private fine-tuning); pretrain starts from veil.model.init-seed; leave veil.init.from empty");
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(t.ThreadsPerWorker > 0 ? t.ThreadsPerWorker : Environment.ProcessorCount);
        var parts = RunData.LoadSplit(t);
        var normalization = PixelNormalization.FashionMnist;
        var train = Decode(parts.PublicTrain, normalization);
        var test = Decode(parts.PublicTest, normalization);
        var publicFingerprint = DatasetFingerprint.Of(parts.PublicTrain);
        using var model = ModelCatalog.Create(t.Model, t.InitSeed, parts.PublicTrain.Classes);
        if (model is not IBackbone)
            throw new ConfigurationException($"veil.model.name = {t.Model} cannot serve as a backbone; use gn-cnn or tanh-cnn");
        var augmentation = p.Augmentation.Enabled
            ? $"augmented (flip {p.Augmentation.Flip}, crop-padding {p.Augmentation.CropPadding})"
            : "not augmented";
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pretrain: {t.Model} on {parts.PublicTrain.Count} PUBLIC examples ({parts.PublicTrain.Name}, {publicFingerprint[..12]}), {parts.PublicTrain.Classes} classes, " +
            $"{p.Epochs} epochs of SGD (batch {p.BatchSize}, lr {p.LearningRate}, momentum {p.Momentum}), {augmentation}; no DP, no ledger"));
        var seed = t.Seed != 0 ? t.Seed : (ulong)Random.Shared.NextInt64();
        // Its own stream (not the shuffle's): changing one of them leaves the other's draws as they were.
        BatchInputWriter? views = p.Augmentation.Enabled
            ? new AugmentedInputs(parts.PublicTrain, normalization, p.Augmentation, seed ^ AugmentationSeedSalt).Write
            : null;
        var clock = Stopwatch.StartNew();
        NonPrivateTrainer.Train(model, train.Inputs, train.Labels, train.Count, p.Options(seed),
            (epoch, loss) => log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pretrain: epoch {epoch}/{p.Epochs}  loss {loss:F4}  {clock.Elapsed.TotalSeconds:F0} s")), views);
        var evaluation = Evaluator.Evaluate(model, ParameterVector.Flatten(model), test.Inputs, test.Labels, test.Count, t.EvalBatchSize);
        var wall = clock.Elapsed.TotalSeconds;
        BackboneManifest? manifest = null;
        var run = RunFolder.Create(t.RunDirectory, folder =>
            manifest = BackboneStore.Save(folder.File("backbone"), model, publicFingerprint, parts.PublicTrain.Name,
                new BackbonePreprocessing(normalization.Mean, normalization.Std)));
        var result = new PretrainResult(run.Id, run.Path, run.File("backbone"), t.Model, evaluation.Accuracy, evaluation.MeanLoss,
            parts.PublicTrain.Count, parts.PublicTrain.Classes, publicFingerprint, manifest!.Fingerprint, manifest.FeatureDimension, p.Epochs, wall);
        run.WriteJson("pretrain.json", new { settings = t, pretrain = p, result });
        if (!string.IsNullOrWhiteSpace(p.CopyTo))
        {
            // Saved afresh (same bytes, atomic per file) rather than copied, so a reader never sees half a backbone.
            BackboneStore.Save(p.CopyTo, model, publicFingerprint, parts.PublicTrain.Name, new BackbonePreprocessing(normalization.Mean, normalization.Std));
            log.WriteLine($"pretrain: backbone also saved to {Path.GetFullPath(p.CopyTo)} (veil.pretrain.copy-to)");
        }
        return result;
    }

    private static MicroBatchData Decode(ImageDataset data, PixelNormalization normalization) =>
        new MicroBatchDecoder(data, normalization).Decode(new MicroBatchSpec(new MicroBatchId(-1, 0), Enumerable.Range(0, data.Count).ToArray()));
}
