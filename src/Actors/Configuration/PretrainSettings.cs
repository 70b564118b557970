using Akka.Configuration;
using Veil.Compute.Transfer;

namespace Veil.Actors.Configuration;

/// <summary>`veil.pretrain.*`: the non-private optimiser of public pre-training.</summary>
public sealed record PretrainSettings(int Epochs, int BatchSize, double LearningRate, double Momentum, double WeightDecay, string CopyTo = "",
                                      PretrainAugmentation? Augment = null, int ValidationExamples = 0)
{
    /// <summary>Augmentation of `pretrain` only; the non-private ceiling of `bench accuracy` trains on the private images as DP training sees them.</summary>
    public PretrainAugmentation Augmentation => Augment ?? PretrainAugmentation.None;

    public static PretrainSettings Create(Config c) => new(
        (int)ConfigReading.Double(c, "veil.pretrain.epochs", v => v >= 1 && v <= 10000 && v == Math.Floor(v), "integers [1, 10000]"),
        (int)ConfigReading.Double(c, "veil.pretrain.batch-size", v => v >= 1 && v <= 1 << 20 && v == Math.Floor(v), "integers [1, 2²⁰]"),
        ConfigReading.Double(c, "veil.pretrain.learning-rate", v => v > 0 && double.IsFinite(v), "(0, ∞)"),
        ConfigReading.Double(c, "veil.pretrain.momentum", v => v is >= 0 and < 1, "[0, 1)"),
        ConfigReading.Double(c, "veil.pretrain.weight-decay", v => v >= 0 && double.IsFinite(v), "[0, ∞)"),
        c.GetString("veil.pretrain.copy-to") ?? "",
        new PretrainAugmentation(
            ConfigReading.Boolean(c, "veil.pretrain.augment.flip"),
            // Beyond a few pixels a 28×28 item leaves the frame; 8 is already a third of it.
            (int)ConfigReading.Double(c, "veil.pretrain.augment.crop-padding", v => v is >= 0 and <= 8 && v == Math.Floor(v), "integers [0, 8]")),
        (int)ConfigReading.Double(c, "veil.pretrain.validation-examples", v => v >= 0 && v <= int.MaxValue && v == Math.Floor(v), "integers [0, 2³¹)"));

    public NonPrivateTrainer.Options Options(ulong seed) => new(Epochs, BatchSize, LearningRate, Momentum, WeightDecay, seed);
}
