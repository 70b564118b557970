using Veil.Actors.Cli;
using Veil.Actors.Training;
using Veil.DataLoading.Augmentation;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Sources;

namespace Veil.Actors.TrainedModels;

/// <summary>
/// A labelled set to evaluate a trained run on: by default the run's own test split, loaded as the run loaded it
/// (<see cref="RunData"/>, so the figures are comparable with result.json); or an image folder or tar shards, decoded
/// as a test split is (no augmentation, Fashion-MNIST normalisation).
/// </summary>
public static class LabelledImages
{
    /// <returns>The batch, what it is, and whether it is the run's private training data (whose figures are not a DP release).</returns>
    public static (MicroBatchData Batch, string Description, bool PrivateTrainingData) Load(TrainedRun run, string? source, long[] exampleShape, int classes)
    {
        if (source is null)
        {
            using var data = RunData.Load(run.Training);
            return (data.TestBatch(), "the run's test split", false);
        }
        using var opened = ImageSources.Open(source, channels: (int)exampleShape[0]);
        var expected = new ImageShape((int)exampleShape[0], (int)exampleShape[1], (int)exampleShape[2]);
        if (opened.Shape != expected)
            throw new CliUsageException($"--source {source} holds {opened.Shape} images; run {run.Id}'s model takes {expected} images");
        if (opened.Classes > classes)
            throw new CliUsageException(
                $"--source {source} has {opened.Classes} classes, but run {run.Id}'s model predicts {classes}; " +
                $"point --source at data with at most {classes} classes");
        var decoder = new SourceMicroBatchDecoder(opened, AugmentationSettings.None(ChannelNormalization.FashionMnist));
        return (decoder.Decode(new MicroBatchSpec(new MicroBatchId(-1, 0), Enumerable.Range(0, opened.Count).ToArray())), opened.Description,
            opened.Fingerprint == run.Saved.Plan.DatasetFingerprint);
    }
}
