using System.Diagnostics;
using System.Globalization;
using Veil.Actors.Configuration;
using Veil.Actors.PrivateRuns;
using Veil.Actors.Training;
using Veil.Compute.Evaluation;
using Veil.Compute.Models;
using Veil.Compute.Parameters;
using Veil.Compute.Runtime;
using Veil.Compute.Transfer;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.PublicPrivate;

namespace Veil.Actors.Transfer;

/// <summary>
/// Public pre-training: ordinary SGD on the public part of veil.public, then runs/&lt;id&gt;/backbone/.
/// It reads only public examples and spends nothing, but it consults the ledger: examples the ledger holds as private
/// are refused (unless declared public), and the backbone records the scope it was trained on, so that private runs
/// built on it can prove their data disjoint from it.
/// </summary>
public static class PretrainJob
{
    private const ulong AugmentationSeedSalt = 0x5EED_A076_0000_0001UL;

    // Fixed, not veil.run.seed: every selection run must score on the same held-out examples to be comparable.
    private const ulong ValidationSeed = 1;

    public static PretrainResult Run(TrainingSettings t, PretrainSettings p, PrivacySettings privacy, TextWriter log)
    {
        if (!t.PublicSplit.Enabled)
            throw new ConfigurationException(
                "pretrain trains without DP, so it needs public data: set veil.public.split = subset or classes (the private part is left for `train`)");
        if (t.Initialisation.FromBackbone)
            throw new ConfigurationException(
                $"veil.init.from = {t.Initialisation.From} applies to `train` (private fine-tuning); " +
                $"pretrain starts from veil.model.init-seed; leave veil.init.from empty");
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(t.Runtime.ThreadsPerWorker > 0 ? t.Runtime.ThreadsPerWorker : Environment.ProcessorCount);
        var parts = RunData.LoadSplit(t);
        var normalization = PixelNormalization.FashionMnist;
        var (fit, held) = HoldOut(parts.PublicTrain, parts.PublicTest, p.ValidationExamples);
        var train = Decode(fit, normalization);
        // A selection run scores on held-out public examples and never decodes the test split.
        var scored = Decode(held ?? parts.PublicTest, normalization);
        var publicFingerprint = DatasetFingerprint.Of(fit);
        // Every public example the backbone sees, held-out ones included (they choose its settings).
        var (publicScope, identityKey) = PublicData.Resolve(privacy, t.RunDirectory, parts.PublicTrain, t.DataPublic, log);
        using var model = ModelCatalog.Create(t.Model, t.InitSeed, fit.Classes);
        if (model is not IBackbone)
            throw new ConfigurationException($"veil.model.name = {t.Model} cannot serve as a backbone; use gn-cnn or tanh-cnn");
        var augmentation = p.Augmentation.Enabled
            ? $"augmented (flip {p.Augmentation.Flip}, crop-padding {p.Augmentation.CropPadding})"
            : "not augmented";
        var selection = held is null ? "" : $"; selection run: scored on {held.Count} held-out public examples, not on the test split";
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pretrain: {t.Model} on {fit.Count} PUBLIC examples ({fit.Name}, {publicFingerprint[..12]}), {fit.Classes} classes, " +
            $"{p.Epochs} epochs of SGD (batch {p.BatchSize}, lr {p.LearningRate}, momentum {p.Momentum}), {augmentation}; no DP, no ledger{selection}"));
        var seed = t.Seed != 0 ? t.Seed : (ulong)Random.Shared.NextInt64();
        // Its own stream (not the shuffle's): changing one of them leaves the other's draws as they were.
        BatchInputWriter? views = p.Augmentation.Enabled
            ? new AugmentedInputs(fit, normalization, p.Augmentation, seed ^ AugmentationSeedSalt).Write
            : null;
        var clock = Stopwatch.StartNew();
        NonPrivateTrainer.Train(model, train.Inputs, train.Labels, train.Count, p.Options(seed),
            (epoch, loss) => log.WriteLine(
                string.Create(CultureInfo.InvariantCulture, $"pretrain: epoch {epoch}/{p.Epochs}  loss {loss:F4}  {clock.Elapsed.TotalSeconds:F0} s")), views);
        var evaluation = Evaluator.Evaluate(model, ParameterVector.Flatten(model), scored.Inputs, scored.Labels, scored.Count, t.Runtime.EvalBatchSize);
        var wall = clock.Elapsed.TotalSeconds;
        BackboneManifest? manifest = null;
        var preprocessing = new BackbonePreprocessing(normalization.Mean, normalization.Std);
        var run = RunFolder.Create(t.RunDirectory, folder =>
        {
            manifest = BackboneStore.Save(folder.File("backbone"), model, publicFingerprint, fit.Name, preprocessing);
            BackboneScope.Save(folder.File("backbone"), publicScope, identityKey);
        });
        bool selectionRun = held is not null;
        var result = new PretrainResult(run.Id, run.Path, run.File("backbone"), t.Model,
            selectionRun ? null : evaluation.Accuracy, selectionRun ? null : evaluation.MeanLoss,
            fit.Count, fit.Classes, publicFingerprint, manifest!.Fingerprint, manifest.FeatureDimension, p.Epochs, wall,
            held?.Count ?? 0, selectionRun ? evaluation.Accuracy : null, selectionRun ? evaluation.MeanLoss : null);
        run.WriteJson("pretrain.json", new { settings = t, pretrain = p, result });
        if (string.IsNullOrWhiteSpace(p.CopyTo)) return result;
        if (selectionRun)
        {
            // A selection run's backbone saw fewer public examples; it must not replace the one recipes fine-tune.
            log.WriteLine($"pretrain: selection run, backbone NOT copied to {p.CopyTo} (veil.pretrain.copy-to); it is in {run.File("backbone")}");
            return result;
        }
        // Saved afresh (same bytes, atomic per file) rather than copied, so a reader never sees half a backbone.
        BackboneStore.Save(p.CopyTo, model, publicFingerprint, fit.Name, preprocessing);
        BackboneScope.Save(p.CopyTo, publicScope, identityKey);
        log.WriteLine($"pretrain: backbone also saved to {Path.GetFullPath(p.CopyTo)} (veil.pretrain.copy-to)");
        return result;
    }

    /// <summary>
    /// The public examples to fit and, when <paramref name="count"/> &gt; 0, a seeded random <paramref name="count"/> of them held
    /// out for choosing settings (the same division as a public/private subset split, so it is a pure function of the data).
    /// </summary>
    private static (ImageDataset Fit, ImageDataset? Held) HoldOut(ImageDataset publicTrain, ImageDataset publicTest, int count)
    {
        if (count == 0) return (publicTrain, null);
        if (count >= publicTrain.Count)
            throw new ConfigurationException(
                $"veil.pretrain.validation-examples = {count} leaves nothing to train on: " +
                $"the public split has {publicTrain.Count} training examples; hold out fewer (or 0 = off)");
        var parts = PublicPrivateSplitter.Split(publicTrain, publicTest, new SubsetSplit(publicTrain.Count - count, ValidationSeed));
        return (parts.PublicTrain, parts.PrivateTrain);
    }

    private static MicroBatchData Decode(ImageDataset data, PixelNormalization normalization) =>
        new MicroBatchDecoder(data, normalization).Decode(new MicroBatchSpec(new MicroBatchId(-1, 0), Enumerable.Range(0, data.Count).ToArray()));
}
