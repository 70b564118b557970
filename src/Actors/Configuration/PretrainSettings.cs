using Akka.Configuration;
using Veil.Compute.Transfer;

namespace Veil.Actors.Configuration;

/// <summary>`veil.pretrain.*`: the non-private optimiser of public pre-training.</summary>
public sealed record PretrainSettings(int Epochs, int BatchSize, double LearningRate, double Momentum, double WeightDecay, string CopyTo = "")
{
    public static PretrainSettings Create(Config c) => new(
        (int)ConfigReading.Double(c, "veil.pretrain.epochs", v => v >= 1 && v <= 10000 && v == Math.Floor(v), "integers [1, 10000]"),
        (int)ConfigReading.Double(c, "veil.pretrain.batch-size", v => v >= 1 && v <= 1 << 20 && v == Math.Floor(v), "integers [1, 2²⁰]"),
        ConfigReading.Double(c, "veil.pretrain.learning-rate", v => v > 0 && double.IsFinite(v), "(0, ∞)"),
        ConfigReading.Double(c, "veil.pretrain.momentum", v => v is >= 0 and < 1, "[0, 1)"),
        ConfigReading.Double(c, "veil.pretrain.weight-decay", v => v >= 0 && double.IsFinite(v), "[0, ∞)"),
        c.GetString("veil.pretrain.copy-to") ?? "");

    public NonPrivateTrainer.Options Options(ulong seed) => new(Epochs, BatchSize, LearningRate, Momentum, WeightDecay, seed);
}
